"""The Wi-Fi API apps use (device.wifi: scan, connect, status, forget), on the unix port with the
simulated radio."""
import json
import os
import subprocess

import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FROZEN = os.path.join(ROOT, 'frozen')
SIM = os.path.join(ROOT, 'scripts', 'sim')
MICROPYTHON = os.path.join(os.path.dirname(sys.executable), 'micropython')

SCRIPT = r'''
import json
from device import config, wifi
out = {}
out['before'] = wifi.status()
out['scan'] = wifi.scan()
out['wrong'] = wifi.connect('home', 'nope', timeout=2)
out['absent'] = wifi.connect('nowhere', 'x', timeout=2)
out['ok'] = wifi.connect('home', 'secret', timeout=2)
out['after'] = wifi.status()
cfg = config.load()
config.add_network(cfg, 'home', 'secret')
config.add_network(cfg, 'cafe', '')
config.save(cfg)
out['forget'] = wifi.forget(cfg, 'home')
out['forget_again'] = wifi.forget(cfg, 'home')
out['saved'] = config.networks(config.load())
out['after_forget'] = wifi.status()
print('RESULT', json.dumps(out))
'''


def run(tmp_path, world):
    (tmp_path / 'sim.json').write_text(json.dumps(world))
    env = dict(os.environ, MICROPYPATH=':'.join([SIM, FROZEN, '.frozen']))
    r = subprocess.run([MICROPYTHON, '-c', SCRIPT], cwd=str(tmp_path), env=env,
                       capture_output=True, text=True, timeout=30)
    line = [ln for ln in r.stdout.splitlines() if ln.startswith('RESULT ')]
    assert line, r.stdout + r.stderr
    return json.loads(line[0][7:])


def test_wifi_api(tmp_path):
    out = run(tmp_path, {'join_ms': 50, 'networks': [
        {'ssid': 'home', 'password': 'secret', 'rssi': -60},
        {'ssid': 'home', 'password': 'secret', 'rssi': -40},  # a second access point
        {'ssid': 'cafe', 'password': '', 'rssi': -80}]})
    assert out['before'] == {'mode': 'off', 'connected': False, 'ssid': None, 'ip': None}
    assert out['scan'] == [{'ssid': 'home', 'rssi': -40, 'secure': True},
                           {'ssid': 'cafe', 'rssi': -80, 'secure': False}]
    assert out['wrong'] is None and out['absent'] is None
    assert out['ok'] == '127.0.0.1'
    assert out['after'] == {'mode': 'station', 'connected': True, 'ssid': 'home',
                            'ip': '127.0.0.1'}
    assert out['forget'] is True and out['forget_again'] is False
    assert out['saved'] == [['cafe', '']]
    assert out['after_forget']['connected'] is False  # forgetting the current network drops it


JOIN = r'''
import asyncio, json
from device import wifi
out = []
async def main():
    for ssid, password in (('home', 'secret'), ('cafe', ''), ('home', 'secret')):
        wifi.join(ssid, password, 2, lambda s, ip: out.append([s, ip]))
        await asyncio.sleep_ms(20)  # each one under way when the next comes
    await asyncio.sleep(1)
asyncio.run(main())
print('RESULT', json.dumps(out))
'''


def test_a_join_replaces_the_one_still_under_way(tmp_path):
    """A burst of Wi-Fi saves ends in one attempt at the newest network."""
    (tmp_path / 'sim.json').write_text(json.dumps({'join_ms': 300, 'networks': [
        {'ssid': 'home', 'password': 'secret'}, {'ssid': 'cafe', 'password': ''}]}))
    env = dict(os.environ, MICROPYPATH=':'.join([SIM, FROZEN, '.frozen']))
    r = subprocess.run([MICROPYTHON, '-c', JOIN], cwd=str(tmp_path), env=env,
                       capture_output=True, text=True, timeout=30)
    line = [ln for ln in r.stdout.splitlines() if ln.startswith('RESULT ')]
    assert line, r.stdout + r.stderr
    assert json.loads(line[0][7:]) == [['home', '127.0.0.1']]  # only the last join finished
