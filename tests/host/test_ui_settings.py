"""The settings of the device web UI (``/api/settings``, app/ui/settings.py) and the pins they
configure, served as `make run` serves them (scripts/run_host.py) in a temporary board
filesystem: every field checked with its own 400, saved atomically through device.config."""
import json
import os
import time

import pytest

from support.runtimes import ROOT
from test_app import HostApp, read_events


def test_settings_show_name_port_and_pins_but_no_secret(app):
    status, s = app.json('/api/settings')
    assert status == 200
    assert s['hostname'] == 'microdot-sim' and s['port'] == 80  # the saved port, not make run's
    assert s['ap_password_set'] is False
    names = {p['name']: p for p in s['pins']}
    assert sorted(names) == ['button', 'fan', 'led', 'relay']  # not the boot package's safe_mode
    assert names['relay'] == {'name': 'relay', 'pin': 5, 'mode': 'switch', 'invert': False,
                              'on': False}
    assert names['fan']['mode'] == 'pwm' and names['button']['mode'] == 'input'
    assert 'owner' not in s and 'networks' not in s and 'ap_password' not in s


def test_settings_need_the_owner(app):
    assert app.json('/api/settings', auth=False)[0] == 401
    assert app.json('/api/settings', {'hostname': 'x'}, auth=False)[0] == 401
    assert app.saved()['hostname'] == 'microdot-sim'


@pytest.mark.parametrize('body, field', [
    ({'hostname': ''}, 'hostname'),
    ({'hostname': 'Kitchen Light'}, 'hostname'),
    ({'hostname': '-kitchen'}, 'hostname'),
    ({'hostname': 'k' * 33}, 'hostname'),
    ({'port': 0}, 'port'),
    ({'port': '8080'}, 'port'),
    ({'port': 70000}, 'port'),
    ({'ap_password': 'short'}, 'ap_password'),
    ({'ap_password': 5}, 'ap_password'),
    ({'pins': {'led': 2}}, 'pins'),
    ({'pins': [{'name': 'a', 'pin': 2}, {'name': 'a', 'pin': 3}]}, 'pins'),
    ({'pins': [{'name': 'safe_mode', 'pin': 2}]}, 'pins'),
    ({'pins': [{'name': 'x', 'pin': -1}]}, 'pins'),
    ({'pins': [{'name': 'x', 'pin': '2;x'}]}, 'pins'),
    ({'pins': [{'name': 'x', 'pin': 100}]}, 'pins'),
    ({'pins': [{'name': 'x', 'pin': 2, 'mode': 'servo'}]}, 'pins'),
    ({'pins': [{'name': 'x', 'pin': 2, 'invert': 'yes'}]}, 'pins'),
    ({'colour': 'red'}, 'colour'),
])
def test_a_bad_field_gets_a_400_naming_it_and_nothing_is_saved(app, body, field):
    before = app.saved()
    status, answer = app.json('/api/settings', dict(body, hostname='changed')
                              if field != 'hostname' else body)
    assert status == 400 and answer['field'] == field and answer['error'], answer
    assert app.saved() == before
    assert app.json('/api/settings')[1]['hostname'] == 'microdot-sim'


def test_a_body_that_is_not_an_object_is_400(app):
    status, _, body = app.request('/api/settings', b'[1, 2]', 'POST',
                                  {'Content-Type': 'application/json'})
    assert status == 400 and b'error' in body


def test_name_port_and_access_point_password_are_saved_for_the_next_start(app):
    status, s = app.json('/api/settings', {'hostname': 'kitchen', 'port': 8081,
                                           'ap_password': 'setup-pass-1'})
    assert status == 200 and s['restart'] == ['ap_password', 'hostname', 'port']
    assert s['hostname'] == 'kitchen' and s['port'] == 8081 and s['ap_password_set'] is True
    cfg = app.saved()
    assert cfg['hostname'] == 'kitchen' and cfg['port'] == 8081
    assert cfg['ap_password'] == 'setup-pass-1'
    assert cfg['networks'][0]['ssid'] == 'SimNet' and cfg['owner']  # the rest is kept
    assert os.path.exists(os.path.join(app.fs, 'config.json.bak'))  # saved the atomic way
    assert app.json('/api/status')[0] == 200  # still serving where it was
    assert app.json('/api/settings', {'hostname': 'microdot-sim', 'port': 80,
                                      'ap_password': ''})[0] == 200


def test_a_save_of_the_values_as_they_are_writes_nothing(app):
    # the settings page sends the whole form: a save that changes nothing needs no write (and
    # none of the heap a write and a new pin setup take, which a short heap may not have)
    form = app.json('/api/settings')[1]
    del form['ap_password_set']
    assert app.json('/api/settings', form)[0] == 200  # the pins as the page writes them
    bak = os.path.join(app.fs, 'config.json.bak')
    os.remove(bak)
    before = app.saved()
    status, s = app.json('/api/settings', form)
    assert status == 200 and s['restart'] == [] and s['hostname'] == 'microdot-sim'
    assert not os.path.exists(bak)  # not written (a save keeps the previous file there)
    assert app.saved() == before
    status, s = app.json('/api/settings', dict(form, hostname='kitchen'))
    assert status == 200 and s['restart'] == ['hostname'] and os.path.exists(bak)
    assert app.saved()['hostname'] == 'kitchen'
    assert app.json('/api/settings', dict(form))[1]['restart'] == ['hostname']


def test_new_pins_take_effect_at_once_and_the_boot_inputs_stay(app):
    pins = app.json('/api/settings')[1]['pins']
    for p in pins:
        if p['name'] == 'relay':
            p['mode'] = 'pwm'
    pins.append({'name': 'heater', 'pin': '12', 'mode': 'switch', 'invert': True})
    status, s = app.json('/api/settings', {'pins': pins})
    assert status == 200 and s['restart'] == []
    heater = [p for p in s['pins'] if p['name'] == 'heater'][0]
    assert heater == {'name': 'heater', 'pin': 12, 'mode': 'switch', 'invert': True,
                      'on': False}
    assert 'safe_mode' in app.saved()['pins']
    states = {p['name']: p for p in app.json('/api/pins')[1]}
    assert states['heater']['pwm'] is False and states['relay']['pwm'] is True
    assert app.json('/api/pins/relay', {'level': 30})[0] == 200
    status, answer = app.json('/api/pins/heater', {'level': 30})
    assert status == 400 and 'not a PWM pin' in answer['error']
    assert app.json('/api/pins/heater', {'on': True})[1]['on'] is True
    pins = [p for p in app.json('/api/settings')[1]['pins'] if p['name'] != 'heater']
    for p in pins:
        if p['name'] == 'relay':
            p['mode'] = 'switch'
    assert app.json('/api/settings', {'pins': pins})[0] == 200
    assert 'heater' not in [p['name'] for p in app.json('/api/pins')[1]]


def test_an_input_cannot_be_set_and_its_changes_reach_the_live_stream(app):
    status, answer = app.json('/api/pins/button', {'on': True})
    assert status == 400 and 'input' in answer['error']
    button = app.json('/api/pins/button')[1]
    assert button['mode'] == 'input' and button['on'] is False  # high, inverted: released
    world_path = os.path.join(app.fs, 'sim.json')
    with open(world_path) as f:
        world = json.load(f)

    def press():
        time.sleep(0.5)  # after the stream's first pins event
        world['pins']['0'] = 0  # pulled low
        with open(world_path, 'w') as f:
            json.dump(world, f)
    try:
        events = read_events(app.port, 4, on_open=press)
        pins = [data for event, data in events if event == 'pins']
        assert [p['on'] for p in pins[0] if p['name'] == 'button'] == [False]
        assert [p['on'] for p in pins[-1] if p['name'] == 'button'] == [True]
    finally:
        world['pins']['0'] = 1
        with open(world_path, 'w') as f:
            json.dump(world, f)


def test_an_output_starts_in_its_power_on_state(tmp_path):
    server = HostApp(tmp_path, config={'pins': {'lamp': {'pin': 5, 'on': True},
                                                'dark': {'pin': 4}}}).start()
    try:
        states = {p['name']: p for p in server.json('/api/pins')[1]}
        assert states['lamp']['on'] is True and states['dark']['on'] is False
        assert states['lamp']['pwm'] is False  # a switch unless it says pwm
    finally:
        server.stop()


# --- short of heap: the answer says whether the settings were saved ---------------------------

SHORT = r'''
import sys, asyncio, builtins, json
sys.path[:0] = [%r, %r, %r]
import machine
from device import config
PATH = 'CFG'
cfg = config.current(PATH)
from ui import pinstate, settings

real_import, real_pin, short = builtins.__import__, machine.Pin, []


def imports(name, *args):  # the first import of ui.pinstate (`short`: 'import') finds no heap
    if short == ['import'] and name == 'ui' and 'pinstate' in (args[2] or ()):
        short.pop()
        raise MemoryError
    return real_import(name, *args)


class Pin(real_pin):  # the first pin set up (`short`: 'pin') finds no heap
    def __init__(self, *args):
        if short == ['pin']:
            short.pop()
            raise MemoryError
        super().__init__(*args)


builtins.__import__ = imports
machine.Pin = Pin


class Request:
    method = 'POST'

    def __init__(self, data):
        self.json = data


def save(name):
    pins = settings.view(cfg)['pins'] + [{'name': name, 'pin': 12}]
    try:
        answer = asyncio.run(settings.api(Request({'pins': pins}), 'settings', None))
        status = answer[1] if isinstance(answer, tuple) else 200 if answer.status_code == 200 \
            and name in [p['name'] for p in json.loads(b''.join(answer.body))['pins']] else 'wrong'
    except MemoryError:
        status = 503
    with open(PATH) as f:
        saved = name in json.load(f)['pins']
    print(status, 'saved' if saved else 'unsaved', name in pinstate.outputs())


short.append('import')
save('heater')
save('heater')
short.append('pin')
save('fan2')
'''


def test_a_save_short_of_heap_is_503_with_nothing_saved_or_200_saved(tmp_path):
    """A save of the pins that meets a MemoryError is never a 503 for settings that were
    saved (issue 13): before, importing ui.pins after the write failed so (503, yet saved; the
    page said it failed). Now the import (ui.pinstate: what sets the pins up) comes before the
    write: 503 and nothing saved, and the same save again works. Short of heap for setting the pins up once saved, the answer is 200
    and the pins are set up at their next use, the new one too."""
    from test_ui_live import run
    from test_app import HostApp
    HostApp(str(tmp_path))  # its config.json: the pins of `make run`
    path = os.path.join(str(tmp_path), 'config.json')
    lines = run(SHORT.replace('CFG', path))
    assert [ln for ln in lines if not ln.startswith('ui:')] == [
        '503 unsaved False', '200 saved True', '200 saved True'], lines
    assert 'ui: the pins are set up at their next use (short of heap now)' in lines


# The faults both snippets below raise: `fault = [step, ...]` armed, a MemoryError is raised once
# at `step` after the settings file was written (`written`), or at the first such step if the
# last item of `fault` is 'any'. Steps: 'encode' (a Response made) and those each snippet hooks.
FAULTS = r'''
fault, written = [], []


def step(name):
    if fault and fault[0] == name and (written or fault[-1] == 'any'):
        fault.clear()
        raise MemoryError


def hook(module, name, where):
    real = getattr(module, name)

    def hooked(*args, **kwargs):
        step(where)
        return real(*args, **kwargs)
    setattr(module, name, hooked)


real_save = config.save


def save(*args, **kwargs):
    real_save(*args, **kwargs)
    written.append(1)


config.save = save
real_init = Response.__init__


def init(self, *args, **kwargs):
    step('encode')
    real_init(self, *args, **kwargs)


Response.__init__ = init
'''


# A change answered through the framework (its dispatch, as a request is served): a MemoryError
# raised once at one heap-needing step, `fault = [step, when]`: 'view' (the settings shown,
# device.config.saved), 'encode' (a Response made: the JSON of the answer), 'log' (the log's
# line); when 'after' the settings file was written, or 'any' (the first such step).
ANSWER = r'''
import sys, asyncio, json
sys.path[:0] = [%r, %r, %r]
import machine
from device import config
PATH = 'CFG'
cfg = config.current(PATH)
import ui
from ui import log
from microdot import Microdot, Response
from microdot.test_client import TestClient

app = Microdot()
app.route('/api/<re:settings|backup:what>', methods=['GET', 'POST'])(ui.api)
client = TestClient(app)
''' + FAULTS + r'''
hook(config, 'saved', 'view')
hook(log, 'add', 'log')


def post(url, body, key, value, *armed):
    fault[:] = armed
    written.clear()
    res = asyncio.run(client.post(url, body=body))
    with open(PATH) as f:
        saved = json.load(f)[key] == value
    shown = res.status_code != 200 or (res.json.get(key, value) == value and
                                       'restart' in res.json)
    print(' '.join(armed) or 'none', url[5:], res.status_code, 'saved' if saved else 'unsaved', shown)


n = 0
for where in ('view', 'encode', 'log'):
    n += 1
    post('/api/settings', {'hostname': 'name-%%d' %% n}, 'hostname', 'name-%%d' %% n,
         where, 'after')
for where in ('encode', 'log'):
    n += 1
    post('/api/backup', {'retries': n}, 'retries', n, where, 'after')
post('/api/settings', {'hostname': 'name-any'}, 'hostname', 'name-any', 'encode', 'any')
post('/api/settings', {'hostname': 'name-any'}, 'hostname', 'name-any')
'''


def test_a_change_is_never_answered_503_once_saved(tmp_path):
    """The answer to a change of the settings (``POST /api/settings``, a backup restored) is
    made before the change is saved (issue 13): before, the settings shown and the JSON of the
    answer (the framework's encoding of the returned dict) were made after the write, and a
    MemoryError there answered 503 for a change that was saved (the page said it failed). Now a
    MemoryError at any of those steps is either before the write (503, nothing saved: the
    same change again works) or not needed after it (200, saved, the answer shows it); short of
    heap for the log's line once saved, the line is left out."""
    from test_ui_live import run
    HostApp(str(tmp_path))  # its config.json: the settings of `make run`
    path = os.path.join(str(tmp_path), 'config.json')
    lines = run(ANSWER.replace('CFG', path))
    assert [ln for ln in lines if not ln.startswith('ui:')] == [
        'view after settings 200 saved True', 'encode after settings 200 saved True',
        'log after settings 200 saved True', 'encode after backup 200 saved True',
        'log after backup 200 saved True', 'encode any settings 503 unsaved True',
        'none settings 200 saved True'], lines


# The Wi-Fi changes and the factory reset answered through the framework, a MemoryError raised
# once after the settings file was written at one step: 'encode' (a Response made), 'view' (the
# networks' answer: device.wifi.status), 'join' (the join started: device.wifi.join, recorded
# here, not run), 'task' (asyncio.create_task: the restart's task). (What follows a factory
# reset's write makes nothing: test_ui_owner_change locks the heap there.)
CHANGES = r'''
import sys, asyncio, json
sys.path[:0] = [%r, %r, %r]
import machine
from device import config, wifi
PATH = 'CFG'
cfg = config.current(PATH)
import ui
from microdot import Microdot, Response
from microdot.test_client import TestClient

app = Microdot()
app.route('/api/<re:wifi|reset:what>', methods=['GET', 'POST', 'DELETE'])(ui.api)
client = TestClient(app)
''' + FAULTS + r'''
joins, resets = [], []
hook(wifi, 'status', 'view')
hook(asyncio, 'create_task', 'task')
wifi.join = lambda ssid, *args: step('join') or joins.append(ssid)
machine.reset = lambda: resets.append(1)


async def pause():
    await asyncio.sleep_ms(700)


def nets():
    with open(PATH) as f:
        return [n['ssid'] for n in json.load(f)['networks']]


def ask(method, url, body=None, *armed):
    fault[:] = armed
    written.clear()
    joins.clear()
    call = getattr(client, method)
    res = asyncio.run(call(url) if body is None else call(url, body=body))
    return res.status_code, res.json


n = 0
for where in ('encode', 'view', 'join'):
    n += 1
    ssid = 'net-%%d' %% n
    status, body = ask('post', '/api/wifi', {'ssid': ssid, 'password': 'password1'}, where)
    started = joins == [ssid]
    job = ask('get', '/api/wifi')[1]['join']
    print('post', where, status, ssid in nets(), started, job['state'], job['ssid'])
    if where == 'join':  # the same again: the join starts
        status, body = ask('post', '/api/wifi', {'ssid': ssid, 'password': 'password1'})
        print('again', status, joins == [ssid], body['join']['state'])
for where in ('encode', 'view'):
    ssid = 'net-1' if where == 'encode' else 'net-2'
    status, body = ask('delete', '/api/wifi?ssid=' + ssid, None, where)
    print('delete', where, status, ssid in nets())
    status, body = ask('delete', '/api/wifi?ssid=' + ssid)
    print('again', status, body.get('saved') == nets())
print('unknown', ask('delete', '/api/wifi?ssid=never')[0])
for where in ('encode', 'task'):
    resets.clear()
    config.change(cfg, lambda c: config.set_saved('hostname', 'before-reset'))
    status, body = ask('post', '/api/reset', {'confirm': 'reset'}, where)
    asyncio.run(pause())
    with open(PATH) as f:
        name = json.load(f)['hostname']
    print('reset', where, status, name != 'before-reset', resets == [1])
'''


def test_a_wifi_change_or_a_factory_reset_is_never_answered_503_once_saved(tmp_path):
    """The Wi-Fi changes and the factory reset make their answer (and the restart's task) before
    the settings are written (issue 13). Before: a MemoryError after the write answered 503
    though the network was saved with no join started, or forgotten (and the retry got 404 "no
    saved network"), or the settings reset with no restart. Now each is answered as made: a
    join that found no heap to start is reported failed and the same POST joins; a DELETE
    retried after a lost answer is 200 (404 stays for a network never saved); the board
    restarts after the reset."""
    from test_ui_live import run
    HostApp(str(tmp_path))
    path = os.path.join(str(tmp_path), 'config.json')
    lines = run(CHANGES.replace('CFG', path))
    assert [ln for ln in lines if not ln.startswith('ui:')] == [
        'post encode 202 True True connecting net-1', 'post view 202 True True connecting net-2',
        'post join 202 True False failed net-3', 'again 202 True connecting',
        'delete encode 200 False', 'again 200 True', 'delete view 200 False', 'again 200 True',
        'unknown 404', 'reset encode 202 True True', 'reset task 202 True True'], lines


CHECK_SNIPPET = r'''
import sys
sys.path[:0] = [%r, %r, %r]
from ui import settings
cfg = {'pins': {'safe_mode': 0}}
print(settings.check({'hostname': 'kitchen', 'pins': [{'name': 'a', 'pin': 2}]}, cfg))
try:
    settings.check({'port': 0}, cfg)
except settings.Bad as exc:
    print(exc.args[0])
print(any(hasattr(sys.modules[k], '_pin') for k in sys.modules if k.startswith('ui')))
'''


def test_the_checks_are_not_in_ram_once_a_save_is_checked(tmp_path):
    # on the unix port: the fields' checks (ui.fields: `_pin`...) are loaded for a check and
    # dropped after it, a good one or a bad one, so that a save's peak of heap (the answer, the write) comes
    # without its code (the .mpy UI at 64wK: the first save of a fresh board fit only by ~100 B)
    import subprocess
    from support.runtimes import MICROPYTHON
    out = subprocess.run([MICROPYTHON, '-c', CHECK_SNIPPET % (
        os.path.join(ROOT, 'app'), os.path.join(ROOT, 'frozen'),
        os.path.join(ROOT, 'scripts', 'sim'))], capture_output=True, text=True, timeout=30,
        cwd=str(tmp_path))
    assert out.returncode == 0, out.stderr
    changes, field, loaded = out.stdout.strip().splitlines()[-3:]
    assert 'kitchen' in changes and "'safe_mode': 0" in changes
    assert field == 'port' and loaded == 'False'


# The answer of a save (ui.settings.answer: a save changed or not, a restore) of 16 pins made on
# a heap whose free blocks are 64 bytes at most, then written to a stream: printed are 'made' or
# 'MemoryError', and whether the bytes sent are the JSON of what was answered.
PIECES_SNIPPET = r'''
import sys, asyncio, json
sys.path[:0] = [%r, %r, %r, %r]
from check import heap_in_pieces, release
from device import configwrite  # noqa: F401  (loaded while the heap is whole, as for a save)
from microdot import Response  # noqa: F401
from ui import settings
pins = [settings.spec('pin%%d' %% i, {'pin': i, 'mode': 'pwm', 'invert': i %% 2 == 0})
        for i in range(16)]  # (ui.fields.MAX_PINS)
data = {'hostname': 'kitchen', 'ap_password_set': False, 'port': 80, 'pins': pins,
        'restart': ['port']}


class Stream:
    got = []

    async def awrite(self, data):
        self.got.append(bytes(data))


res = keep = None  # (every name of the snippet made before: a new one may grow its table)
keep = heap_in_pieces(64)
try:
    res = settings.answer(data)
    print('made')
except MemoryError:
    print('MemoryError')
release(keep)
keep = None
if res is not None:
    asyncio.run(res.write(Stream(), '1.1', False))
    head, body = b''.join(Stream.got).split(b'\r\n\r\n', 1)
    print(json.loads(body) == data and b'Content-Length: %%d' %% len(body) in head)
'''


def test_an_answer_is_made_on_a_heap_in_pieces(tmp_path):
    # On the unix port. The answer was one JSON string, encoded: two free blocks of its size
    # (400 B with four pins, 1.2 KB with sixteen). The .mpy UI at 64wK (bench/save_heap.py)
    # had none so large after a fresh board's first saves, and a real save was 503 on all 20
    # tries, 4 runs of 4, and the same way at each try (nothing changed the heap between
    # them). Now pieces of about 96 bytes: it was 503 once at most.
    import subprocess
    from support.runtimes import MICROPYTHON
    out = subprocess.run([MICROPYTHON, '-X', 'heapsize=110wK', '-c', PIECES_SNIPPET % (
        os.path.join(ROOT, 'app'), os.path.join(ROOT, 'frozen'),
        os.path.join(ROOT, 'scripts', 'sim'), os.path.join(ROOT, 'tests', 'mp'))],
        capture_output=True, text=True, timeout=30, cwd=str(tmp_path))
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ['made', 'True'], out.stdout


def test_the_settings_modules_keep_to_a_small_table_of_names():
    # ui.settings is imported for each request of /api/settings and dropped after it, ui.fields
    # for each check: past 17 names (with __name__ and __file__) a module's names grow into a
    # table of 23 entries, one 368-byte block (64-bit) and its import's largest, which a heap in
    # pieces may not have (bench/save_heap.py at 64wK: ui.settings' import met its MemoryError
    # at that block, `<module>`, try after try). ui.settings had 19 names of its own.
    import subprocess
    import sys
    for name in ('ui.settings', 'ui.fields'):  # (in a process of its own: no `ui` left here)
        out = subprocess.run([sys.executable, '-c', 'import %s as m; print(" ".join(n for n in '
                              'dir(m) if not n.startswith("__")))' % name],
                             cwd=os.path.join(ROOT, 'app'), capture_output=True, text=True,
                             timeout=30, check=True)
        own = out.stdout.split()
        assert 5 < len(own) <= 15, (name, own)
