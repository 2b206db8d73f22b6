"""The device settings have one owner (device.config.current()) shared by the runtime's reconnect
loop and the web UI, and survive memory pressure (issue 13, items 1, 4 and 10), on `make run`
(scripts/run_host.py, which boots through the firmware's device.runtime)."""
import json
import os
import threading
import time

from test_app import HostApp

SAVES = 20
ROUNDS = 5


def post_wifi(server, i, results):
    body = {'ssid': 'n%03d' % i, 'password': 'password%03d' % i}
    try:
        status, _, raw = server.request('/api/wifi', json.dumps(body).encode(), 'POST',
                                        {'Content-Type': 'application/json'})
        results[i] = (status, raw[:60])
    except Exception as exc:  # a refused or reset connection is an answer too
        results[i] = (None, repr(exc))


def test_concurrent_wifi_saves_on_the_esp8266_profile_keep_the_settings(tmp_path):
    server = HostApp(tmp_path, '--rom', '--heapsize', '56wK', '--max-connections', '3').start()
    try:
        path = os.path.join(server.fs, 'config.json')
        before = json.load(open(path))
        results = [None] * SAVES * ROUNDS
        for r in range(ROUNDS):
            threads = [threading.Thread(target=post_wifi, args=(server, i, results))
                       for i in range(r * SAVES, (r + 1) * SAVES)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(60)
        statuses = [r[0] for r in results]
        print("statuses:", statuses, [r[1] for r in results if r[0] is None][:3])
        after = json.load(open(path))
        # Nothing the user saved before is lost ...
        assert after['hostname'] == before['hostname'], after
        assert after['pins'] == before['pins'], after
        ssids = [n['ssid'] for n in after['networks']]
        assert 'SimNet' in ssids, after
        # ... every save that was accepted is in the file ...
        for i, (status, _) in enumerate(results):
            if status == 202:
                assert 'n%03d' % i in ssids, (i, after)
        # ... and a refusal is a 503 (try again), never a 400 for a valid request.
        assert all(s in (202, 503, None) for s in statuses), results
        assert statuses.count(202) >= 1, results
        deadline = time.monotonic() + 20
        while server.request('/api/status')[0] != 200:  # the heap comes back
            assert time.monotonic() < deadline, server.output[-3000:]
            time.sleep(0.5)
        print('status 200 again after %.1f s' % (time.monotonic() - deadline + 20))
    finally:
        server.stop()


def wait_until(check, timeout, server):
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, server.output[-4000:]
        time.sleep(0.2)


def connected(server):
    return server.json('/api/wifi')[1]['status']['ssid']


def test_the_reconnect_loop_uses_the_settings_the_ui_changes(tmp_path):
    """A network forgotten in the UI is not rejoined by the reconnect loop; one added while it is
    out of reach is joined by the loop as soon as it appears."""
    with open(os.path.join(str(tmp_path), 'config.json'), 'w') as f:
        json.dump({'hostname': 'owner-test', 'reconnect_s': 1, 'connect_timeout': 2,
                   'networks': [{'ssid': 'SimNet', 'password': 'simulated'}]}, f)
    server = HostApp(tmp_path).start()
    try:
        wait_until(lambda: connected(server) == 'SimNet', 10, server)
        status, body = server.json('/api/wifi?ssid=SimNet', method='DELETE')
        assert status == 200 and body['saved'] == []
        mark = len(server.lines)
        server.wait_for('wifi: connection lost, reconnecting', after=mark)
        time.sleep(3)  # three reconnect periods
        assert connected(server) is None
        assert not [ln for ln in server.lines[mark:] if "connected to 'SimNet'" in ln]
        # A network that is not there yet: saved, the first join fails ...
        status, body = server.json('/api/wifi', {'ssid': 'Later', 'password': 'password1'})
        assert status == 202
        server.wait_for('wifi: could not join Later', after=mark)
        # ... and when it comes up, the reconnect loop joins it.
        with open(os.path.join(server.fs, 'sim.json')) as f:
            world = json.load(f)
        world['networks'].append({'ssid': 'Later', 'password': 'password1', 'rssi': -60})
        with open(os.path.join(server.fs, 'sim.json'), 'w') as f:
            json.dump(world, f)
        wait_until(lambda: connected(server) == 'Later', 15, server)
        saved = json.load(open(os.path.join(server.fs, 'config.json')))
        assert [n['ssid'] for n in saved['networks']] == ['Later']
        assert saved['hostname'] == 'owner-test' and saved['reconnect_s'] == 1
        # the run's overrides (port, host, debug, dns_port) are never written
        assert saved['port'] == 80 and saved['dns_port'] == 53
        assert 'host' not in saved and 'debug' not in saved
    finally:
        server.stop()


PARAMS = r'''
import ui


class Request:
    def __init__(self, exc):
        self.exc = exc

    @property
    def json(self):
        raise self.exc


for exc in (MemoryError(), ValueError('not JSON')):
    try:
        print('RESULT', type(exc).__name__, ui.params(Request(exc)))
    except MemoryError:
        print('RESULT', type(exc).__name__, 'raised')
'''


def test_ui_params_let_a_memory_error_through(tmp_path):
    """Item 10, deterministically: a MemoryError while parsing is raised (the server answers
    503), never taken for "no parameters" (400 "ssid is required"); bad JSON is None."""
    import subprocess
    import sys
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ, MICROPYPATH=':'.join([os.path.join(root, 'app'),
                                                  os.path.join(root, 'frozen'), '.frozen']))
    r = subprocess.run([os.path.join(os.path.dirname(sys.executable), 'micropython'), '-c',
                        PARAMS], cwd=str(tmp_path), env=env, capture_output=True, text=True,
                       timeout=30)
    lines = [ln for ln in r.stdout.splitlines() if ln.startswith('RESULT ')]
    assert lines == ['RESULT MemoryError raised', 'RESULT ValueError None'], r.stdout + r.stderr
