"""Joining a network from the web UI (app/ui/net.py, device/wifi.py) gives a result: the new
address, or the reason it failed, after which the board goes back to a network that works. A
network is saved first only once it worked. Served as `make run` serves it (the simulated radio
of scripts/sim/network.py)."""
import json
import os
import time

import pytest

from test_app import HostApp


@pytest.fixture(scope='module')
def app(tmp_path_factory):
    server = HostApp(tmp_path_factory.mktemp('board'), config={'reconnect_s': 1}).start()
    yield server
    server.stop()


def networks(app):
    with open(os.path.join(app.fs, 'config.json')) as f:
        return json.load(f)['networks']


def join_result(app, ssid, timeout=20):
    deadline = time.monotonic() + timeout
    while True:
        w = app.json('/api/wifi')[1]
        if w['join'].get('ssid') == ssid and w['join']['state'] != 'connecting':
            return w
        assert time.monotonic() < deadline, app.output
        time.sleep(0.2)


def on_network(app, ssid, timeout=20):
    deadline = time.monotonic() + timeout
    while app.json('/api/wifi')[1]['status']['ssid'] != ssid:
        assert time.monotonic() < deadline, app.output
        time.sleep(0.2)


def test_a_wrong_password_fails_with_the_reason_and_the_board_goes_back(app):
    status, body = app.json('/api/wifi', {'ssid': 'Neighbours', 'password': 'not it'})
    assert status == 202 and body['join']['state'] == 'connecting'
    assert networks(app)[0]['ssid'] == 'SimNet'  # the one that works keeps its turn
    assert networks(app)[1] == {'ssid': 'Neighbours', 'password': 'not it', 'verified': False}
    w = join_result(app, 'Neighbours')
    assert w['join']['state'] == 'failed' and w['join']['reason'] == 'wrong password'
    assert w['unverified'] == ['Neighbours']
    on_network(app, 'SimNet')  # the reconnect loop brought it back
    app.wait_for('wifi: could not join Neighbours - wrong password')


def test_a_network_out_of_range_is_reported_as_not_found(app):
    assert app.json('/api/wifi', {'ssid': 'Elsewhere', 'password': 'whatever1'})[0] == 202
    w = join_result(app, 'Elsewhere')
    assert w['join']['reason'] == 'network not found'
    assert app.json('/api/wifi?ssid=Elsewhere', method='DELETE')[0] == 200
    on_network(app, 'SimNet')


def test_a_newer_join_replaces_one_under_way_and_the_result_is_the_newest(app):
    assert app.json('/api/wifi', {'ssid': 'Elsewhere', 'password': 'whatever1'})[0] == 202
    status, body = app.json('/api/wifi', {'ssid': 'Cafe Guest'})
    assert status == 202 and body['join'] == {'ssid': 'Cafe Guest', 'state': 'connecting',
                                              'ip': None, 'reason': None}
    assert join_result(app, 'Cafe Guest')['join']['state'] == 'joined'
    assert networks(app)[0] == {'ssid': 'Cafe Guest', 'password': ''}
    for ssid in ('Cafe%20Guest', 'Elsewhere'):
        assert app.json('/api/wifi?ssid=' + ssid, method='DELETE')[0] == 200
    on_network(app, 'SimNet')


def test_the_right_password_joins_with_the_address_and_saves_it_first_verified(app):
    on_network(app, 'SimNet')
    assert app.json('/api/wifi', {'ssid': 'Neighbours', 'password': 'secret123'})[0] == 202
    w = join_result(app, 'Neighbours')
    assert w['join']['state'] == 'joined' and w['join']['ip'] == '127.0.0.1'
    assert w['status']['ssid'] == 'Neighbours' and w['unverified'] == []
    assert networks(app)[0] == {'ssid': 'Neighbours', 'password': 'secret123'}
    assert [n['ssid'] for n in networks(app)] == ['Neighbours', 'SimNet']
    assert app.json('/api/wifi?ssid=Neighbours', method='DELETE')[0] == 200
    on_network(app, 'SimNet')


def test_a_wrong_password_for_a_saved_network_keeps_the_one_that_works(app):
    assert app.json('/api/wifi', {'ssid': 'SimNet', 'password': 'mistyped'})[0] == 202
    assert join_result(app, 'SimNet')['join']['state'] == 'failed'
    assert networks(app) == [{'ssid': 'SimNet', 'password': 'simulated'}]
    on_network(app, 'SimNet')


# A join through the API on the unix port, the heap measured before it and after its end.
ENDED = r'''
import sys, asyncio, gc
sys.path[:0] = [%r, %r, %r]
from device import config
config.current('CFG')
import ui
from microdot import Microdot
from microdot.test_client import TestClient

app = Microdot()
app.route('/api/<re:wifi:what>', methods=['GET', 'POST'])(ui.api)
client = TestClient(app)


async def main():
    await client.get('/api/wifi')  # what stays loaded after a request, loaded once
    gc.collect()
    before = gc.mem_free()
    res = await client.post('/api/wifi', body={'ssid': 'Elsewhere', 'password': 'whatever1'})
    res = None
    while ui.state['wifi_join']['state'] == 'connecting':
        await asyncio.sleep_ms(50)
    gc.collect()
    print(ui.state['wifi_join']['reason'], 'ui.joined' in sys.modules, before - gc.mem_free())


asyncio.run(main())
'''


def test_a_join_that_ended_keeps_none_of_its_modules(tmp_path):
    """The join's task holds the function it calls at the end (``ui.joined.done``, a module of
    its own, dropped then) and, once ended, is let go by ``device.wifi``: before, it held
    ``ui.net``'s function, and so all of ``ui.net`` (about 3 KB of heap on the ESP8266 profile),
    while the join ran and, through the ended task, until the next join."""
    from test_ui_live import run
    HostApp(str(tmp_path), config={'connect_timeout': 1})
    lines = run(ENDED.replace('CFG', os.path.join(str(tmp_path), 'config.json')))
    reason, loaded, held = lines[-1].rsplit(' ', 2)
    assert (reason, loaded) == ('network not found', 'False'), lines
    assert int(held) < 600, lines  # main's ui.net, held by the join's task: 1,920 B


# Ten saved networks forgotten one by one through the API on the unix port, then each DELETE
# once more (as a page does whose first answer was lost).
FORGOTTEN = r'''
import sys, asyncio, json
sys.path[:0] = [%r, %r, %r]
from device import config
cfg = config.current('CFG')
config.change(cfg, lambda c: c.update(networks=[{'ssid': 'net-%%d' %% i, 'password': ''}
                                                for i in range(10)]))
import ui
from microdot import Microdot
from microdot.test_client import TestClient

app = Microdot()
app.route('/api/<re:wifi:what>', methods=['GET', 'DELETE'])(ui.api)
client = TestClient(app)


async def main():
    for i in list(range(10)) + list(range(10)):
        res = await client.request('DELETE', '/api/wifi?ssid=net-%%d' %% i)
        print(i, res.status_code, res.json.get('saved', res.json.get('error')))
    print('never', (await client.request('DELETE', '/api/wifi?ssid=never')).status_code)
    print(len(ui.state['wifi_forgot']), [n['ssid'] for n in config.current()['networks']])


asyncio.run(main())
'''


def test_a_delete_repeated_after_a_lost_answer_is_200_for_the_networks_forgotten(tmp_path):
    """A DELETE of a network forgotten since the start (the last eight: the memory it takes
    is bounded) is answered 200 again with the networks as they are, so a page whose first
    answer was lost does not report a failure; a network never saved stays 404. Before, only
    the network forgotten last got 200: a retry of any earlier one was 404 "no saved
    network"."""
    from test_ui_live import run
    HostApp(str(tmp_path))
    lines = run(FORGOTTEN.replace('CFG', os.path.join(str(tmp_path), 'config.json')))
    lines = [ln for ln in lines if not ln.startswith('ui:')]
    left = ['net-%d' % i for i in range(10)]
    for i in range(10):  # forgotten: 200, the networks left in the answer
        left.remove('net-%d' % i)
        assert lines[i] == '%d 200 %r' % (i, left), lines
    for i in (0, 1):  # forgotten longest ago: no longer remembered
        assert lines[10 + i] == "%d 404 no saved network 'net-%d'" % (i, i), lines
    for i in range(2, 10):
        assert lines[10 + i] == '%d 200 []' % i, lines
    assert lines[20:] == ['never 404', '8 []'], lines
