"""A bad upload never bricks the board: when the user's main.py fails to import, defines no app,
or its server crashes, the simulated board serves the recovery page (the error + the setup form);
safe mode (flag file or button) skips the app."""
import os
import time

HOME = {'ssid': 'home', 'password': 'secret'}


def boot_with_app(board, source, **overrides):
    board.world(networks=[HOME])
    config = {'networks': [HOME]}
    config.update(overrides.pop('config', {}))
    board.write('config.json', config)
    if source is not None:
        board.write('main.py', source)
    board.boot(**overrides)
    board.wait_for('portal: serving on port')
    return board.http('/')


def test_syntax_error_in_main_py_shows_recovery_page(board):
    status, _, body = boot_with_app(board, 'from microdot import Microdot\napp = Microdot(\n')
    assert status == 200
    assert 'SyntaxError' in body
    assert 'make deploy' in body and 'action=/setup' in body
    assert 'the app failed to load' in board.output


def test_import_error_shows_the_traceback(board):
    status, _, body = boot_with_app(board, 'import no_such_module_here\n')
    assert status == 200
    assert 'ImportError' in body and 'no_such_module_here' in body


def test_exception_text_is_html_escaped(board):
    status, _, body = boot_with_app(board, 'raise ValueError("<script>x</script>")\n')
    assert '&lt;script&gt;' in body and '<script>' not in body


def test_main_py_without_app_is_reported(board):
    status, _, body = boot_with_app(board, 'x = 1\n')
    assert 'defines no `app`' in body


def test_missing_main_py_is_reported(board):
    status, _, body = boot_with_app(board, None)
    assert status == 200 and 'no main.py' in body


CRASHING = '''
import asyncio
from microdot import Microdot

class Crashy(Microdot):
    async def start_server(self, host='0.0.0.0', port=5000, **kw):
        print('APP SERVING')
        await asyncio.sleep(0.3)
        raise RuntimeError('app server crashed')

app = Crashy()
'''


def test_app_server_crash_falls_back_to_recovery_page(board):
    status, _, body = boot_with_app(board, CRASHING)
    assert 'APP SERVING' in board.output
    assert status == 200 and 'RuntimeError: app server crashed' in body


def test_watchdog_keeps_being_fed_by_the_recovery_server(board):
    boot_with_app(board, CRASHING, config={'watchdog_ms': 400})
    time.sleep(1.2)
    assert board.http('/')[0] == 200
    assert '[sim] WDT first feed' in board.output
    assert 'WDT starved' not in board.output


APP = '''
print('APP IMPORTED')
from microdot import Microdot
app = Microdot()
'''


def test_safe_mode_flag_file_skips_the_app(board):
    board.write('safemode', '')
    status, _, body = boot_with_app(board, APP, config={'watchdog_ms': 400})
    assert 'Safe mode (flag file)' in body
    assert 'APP IMPORTED' not in board.output
    assert 'WDT' not in board.output  # never started in safe mode
    # leaving safe mode removes the flag and reboots
    status, _, body = board.http('/leave-safe-mode', data=b'')
    assert status == 200
    assert board.wait_exit() == 77
    assert not os.path.exists(os.path.join(board.fs, 'safemode'))


def test_safe_mode_button_held_at_boot_skips_the_app(board):
    board.world(networks=[HOME], pins={'5': 0})  # GPIO5 pulled low = pressed
    board.write('config.json', {'networks': [HOME], 'pins': {'safe_mode': 5}})
    board.write('main.py', APP)
    board.boot()
    board.wait_for('portal: serving on port')
    assert 'device: safe mode (button)' in board.output
    assert 'Safe mode (button)' in board.http('/')[2]
    assert 'APP IMPORTED' not in board.output


def test_released_button_boots_normally(board):
    board.world(networks=[HOME], pins={'5': 1})
    board.write('config.json', {'networks': [HOME], 'pins': {'safe_mode': 5}})
    board.write('main.py', APP)
    board.boot()
    board.wait_for('launcher: starting the app')
    assert 'APP IMPORTED' in board.output and 'safe mode' not in board.output
