"""Boot path, station side, on the simulated board (real unix MicroPython, simulated radio):
join a saved network and serve the user's app; reconnect after Wi-Fi loss; watchdog."""
import time

HOME = {'ssid': 'home', 'password': 'secret', 'rssi': -50}

APP = '''
from microdot import Microdot
print('APP IMPORTED')
app = Microdot()

@app.route('/hello')
async def hello(request):
    return 'hello from the app'

if __name__ == '__main__':
    app.run()
'''


def test_station_success_serves_the_user_app(board):
    board.world(networks=[HOME])
    board.write('config.json', {'networks': [{'ssid': 'home', 'password': 'secret'}],
                                'hostname': 'kitchen'})
    board.write('main.py', APP)
    board.boot()
    board.wait_for('launcher: starting the app')
    time.sleep(0.3)
    status, _, body = board.http('/hello')
    assert (status, body) == (200, 'hello from the app')
    assert '[sim] hostname kitchen' in board.output
    assert "wifi: connected to 'home' as 127.0.0.1" in board.output
    assert 'APP IMPORTED' in board.output
    assert 'access point' not in board.output


def test_second_saved_network_is_tried_when_the_first_is_absent(board):
    board.world(networks=[HOME])
    board.write('config.json', {'networks': [{'ssid': 'office', 'password': 'x'},
                                             {'ssid': 'home', 'password': 'secret'}]})
    board.write('main.py', APP)
    board.boot()
    board.wait_for("connected to 'home'")
    assert "could not join 'office'" in board.output


def test_wifi_loss_is_followed_by_background_reconnect(board):
    board.world(networks=[HOME])
    board.write('config.json', {'networks': [{'ssid': 'home', 'password': 'secret'}]})
    board.write('main.py', APP)
    board.boot(reconnect_s=1, connect_timeout=1)
    board.wait_for('launcher: starting the app')
    board.world(networks=[HOME], up=False)  # the access point disappears
    board.wait_for('wifi: connection lost, reconnecting')
    # the app keeps serving while the station is down
    assert board.http('/hello')[0] == 200
    board.world(networks=[HOME], up=True)
    deadline = time.monotonic() + 10
    while board.output.count("connected to 'home'") < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert board.output.count("connected to 'home'") == 2, board.output
    assert board.http('/hello')[0] == 200


def test_watchdog_is_fed_while_the_app_server_runs(board):
    board.world(networks=[HOME])
    board.write('config.json', {'networks': [{'ssid': 'home', 'password': 'secret'}],
                                'watchdog_ms': 400})
    board.write('main.py', APP)
    board.boot()
    board.wait_for('[sim] WDT started timeout=400')
    board.wait_for('[sim] WDT first feed')
    time.sleep(1.5)
    assert board.http('/hello')[0] == 200
    assert 'WDT starved' not in board.output


def test_watchdog_is_off_by_default(board):
    board.world(networks=[HOME])
    board.write('config.json', {'networks': [{'ssid': 'home', 'password': 'secret'}]})
    board.write('main.py', APP)
    board.boot()
    board.wait_for('launcher: starting the app')
    assert 'WDT' not in board.output


def test_frozen_entry_boots_and_imports_the_filesystem_main_py(board):
    # The firmware's entry point is itself called main.py; it must still load the user's one.
    import os
    import subprocess
    import sys
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    FROZEN = os.path.join(root, 'frozen')
    SIM = os.path.join(root, 'scripts', 'sim')
    MICROPYTHON = os.path.join(os.path.dirname(sys.executable), 'micropython')
    board.world(networks=[HOME])
    board.write('config.json', {'networks': [{'ssid': 'home', 'password': 'secret'}],
                                'port': board.port, 'dns_port': board.dns_port})
    board.write('main.py', APP)
    env = dict(os.environ, MICROPYPATH=':'.join([SIM, FROZEN, '.frozen']))
    board.proc = subprocess.Popen([MICROPYTHON, os.path.join(FROZEN, 'entry', 'main.py')],
                                  cwd=board.fs, env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True, bufsize=1)
    import threading
    threading.Thread(target=board._pump, daemon=True).start()
    board.wait_for('launcher: starting the app')
    time.sleep(0.3)
    assert board.http('/hello')[2] == 'hello from the app'
    assert board.output.count('device: hostname') == 1  # the runtime ran once, no recursion


MODULES_APP = '''
import sys
from microdot import Microdot
app = Microdot()

@app.route('/modules')
async def modules(request):
    return ' '.join(sorted(sys.modules))
'''


def test_boot_only_modules_are_dropped_before_the_app_serves(board):
    # what only the boot needs gives its heap to the app: device.safemode (1.1 KB of heap
    # once the UI listens, as .mpy at 64wK), the boot steps (device.boot, 1.7 KB), the settings
    # file's code (device.configfile, read at boot, 2.4 KB), the Wi-Fi's (device.wifiboot, the
    # join at boot, 1.3 KB), the app's import (device.appload),
    # device.install (after an interrupted upload)
    board.world(networks=[HOME])
    board.write('config.json', {'networks': [{'ssid': 'home', 'password': 'secret'}]})
    board.write('main.py', MODULES_APP)
    board.boot()
    board.wait_for('launcher: starting the app')
    time.sleep(0.3)
    status, _, body = board.http('/modules')
    assert status == 200 and 'device.runtime' in body.split()
    assert 'device.safemode' not in body.split() and 'device.install' not in body.split()
    for name in ('device.boot', 'device.appload', 'device.configfile', 'device.wifiboot'):
        assert name not in body.split(), name
