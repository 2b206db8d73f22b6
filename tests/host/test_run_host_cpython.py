"""`scripts/run_host.py --cpython`: the device UI booted on CPython through the firmware's own
boot sequence, on the same simulated board as the unix port's `make run` (the adversarial suite
attacks it too: tests/host/test_hostile_suite.py::test_device_ui_with_room[cpython])."""
import gzip
import os
import platform
import sys

from test_app import ROOT, HostApp


def test_the_device_ui_boots_on_cpython_and_serves_reads_writes_and_restarts(tmp_path):
    app = HostApp(tmp_path / 'board', '--cpython', '--max-connections', '6').start()
    try:
        # the boot sequence ran: the saved network joined, then the app served
        app.wait_for("wifi: connected to 'SimNet'")
        status, s = app.json('/api/status')
        assert status == 200
        # it is CPython that runs the board (the unix port reports MicroPython's version)
        assert s['micropython'].startswith(platform.python_version())
        # the dashboard page, gzipped as stored and, for a client that takes no gzip,
        # decompressed by the board (deflate.DeflateIO), and a file listing (os.ilistdir)
        code, headers, zipped = app.request('/', headers={'Accept-Encoding': 'gzip'})
        assert code == 200 and headers['Content-Encoding'] == 'gzip'
        code, headers, body = app.request('/')
        assert code == 200 and 'Content-Encoding' not in headers
        assert body == gzip.decompress(zipped) and b'<html' in body.lower()
        code, files = app.json('/api/files')
        assert code == 200 and 'main.py' in str(files)
        # a settings write reaches the board's config.json
        code, _ = app.json('/api/pins/led', {'on': True})
        assert code == 200
        assert app.json('/api/pins/led')[1]['level'] == 100
        # a restart is machine.reset(): the board boots again, on CPython again
        assert app.restart()['uptime'] < 5
        assert 'Traceback' not in app.output, app.output
    finally:
        app.stop()


def test_an_app_that_fails_to_import_on_cpython_gets_the_recovery_page(tmp_path):
    src = tmp_path / 'app'
    src.mkdir()
    (src / 'main.py').write_text('import a_module_no_board_has\n')
    app = HostApp(tmp_path / 'board')
    app.launch([sys.executable, os.path.join(ROOT, 'scripts', 'run_host.py'), '--cpython',
                '--port', str(app.port), '--fs', app.fs, '--app', str(src)], cwd=ROOT)
    try:
        app.wait_for('portal: serving on port', 60)  # (no app: no "Starting async server")
        code, _, body = app.request('/')
        # the recovery page, with the error as sys.print_exception wrote it
        assert code == 200 and b'<title>Recovery' in body
        assert b'a_module_no_board_has' in body
    finally:
        app.stop()
