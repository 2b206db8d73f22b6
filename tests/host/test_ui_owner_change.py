"""A change of the owner password (``/password``, app/ui/password.py) and a factory reset
(``/api/reset``, app/ui/backup.py) make nothing once the settings are written (issue 13): what
could meet a MemoryError is made before the write, so a saved change is never answered 503, and
the old password is refused from the moment the change is saved.

The check is the unix port's own: the heap is locked (``micropython.heap_lock``: every
allocation raises MemoryError) from the moment the settings file is written until the route's
handler returns, its clean-up (modules dropped) included. The log's line, the one step allowed
to find no heap, is then left out; what the framework does after the handler (the response's
head) is not locked."""
import os
import subprocess

from support.runtimes import MICROPYTHON, ROOT

OLD, NEW, THIRD = 'old-password-1', 'new-password-2', 'third-password-3'

LOCKED = r'''
import sys, asyncio, json, binascii, micropython
sys.path[:0] = [%r, %r, %r]
import machine
from device import config, launcher, owner
with open('config.json', 'w') as f:
    json.dump({'hostname': 'board', 'networks': [{'ssid': 'home', 'password': 'password1'}],
               'owner': owner.make(OLD, 2)}, f)
launcher.unload('device.owner')
launcher.unload('hmacsha256')
from microdot import Microdot
from microdot.test_client import TestClient
import ui
from ui import auth
app = Microdot()
ui.install(app)
machine.reset = lambda: None
HOST = {'Host': 'localhost'}
FORM = {'Content-Type': 'application/x-www-form-urlencoded', 'Host': 'localhost'}

mode, locked = [None], [0]  # mode: 'lock' (the heap locked once written), 'fail' (no write)
real_save = config.save


def save(*args, **kwargs):
    if mode[0] == 'fail':
        raise MemoryError
    real_save(*args, **kwargs)
    if mode[0] == 'lock':
        micropython.heap_lock()
        locked[0] = 1


config.save = save


def unlocking(real):
    # a route's handler that unlocks the heap as it returns or raises (its own clean-up done)
    async def run(request, **args):
        try:
            return await real(request, **args)
        finally:
            if locked[0]:
                micropython.heap_unlock()
                locked[0] = 0
    return run


app.url_map[:] = [(m, p, unlocking(f), x, s) for m, p, f, x, s in app.url_map]


def basic(password):
    return {'Host': 'localhost', 'Authorization': 'Basic ' + binascii.b2a_base64(
        ('admin:' + password).encode()).decode().strip()}


async def status(client, headers=HOST):
    # (HTTP Basic: from a client without cookies, and not held back by a wrong one before)
    auth.failures.clear()
    return (await (client if headers is HOST else TestClient(app)).get(
        '/api/status', headers)).status_code


async def main():
    me, other = TestClient(app), TestClient(app)
    for c in (me, other):
        print('login', (await c.post('/login', FORM, 'password=' + OLD)).status_code)
    mode[0] = 'lock'
    res = await me.post('/password', FORM, 'current=%%s&password=%%s&confirm=%%s' %% (
        OLD, NEW, NEW))
    print('change', res.status_code, res.headers.get('Location'), locked[0])
    print('after', await status(me), await status(other), await status(me, basic(OLD)),
          await status(me, basic(NEW)), len(auth.sessions))
    mode[0] = 'fail'
    sessions = len(auth.sessions)
    res = await me.post('/password', FORM, 'current=%%s&password=%%s&confirm=%%s' %% (
        NEW, THIRD, THIRD))
    print('unsaved', res.status_code, await status(me), await status(me, basic(NEW)),
          await status(me, basic(THIRD)), len(auth.sessions) - sessions)
    mode[0] = 'lock'
    h = basic(NEW)
    h['Content-Type'] = 'application/json'
    res = await me.post('/api/reset', h, '{"confirm": "reset"}')
    with open('config.json') as f:
        saved = 'owner' in json.load(f)
    print('reset', res.status_code, saved, locked[0])
    print('after', await status(me), await status(me, basic(NEW)), auth.record() == '',
          len(auth.sessions))


asyncio.run(main())
'''


def test_a_saved_change_of_the_owner_makes_nothing_and_the_old_password_goes_at_once(tmp_path):
    # Before: a password change loaded the owner's settings again (``auth.load``: the names
    # the device answers to, a new buffer) and ended the sessions after the write, and a
    # MemoryError there answered 503 for a saved change; a factory reset whose ``auth.load``
    # met a MemoryError kept the old password until the restart half a second later (HTTP
    # Basic with it: 200). Now: 303 with this browser's new session, the other sessions and
    # the old password refused at once; a save that fails is a 503 with the old password
    # and sessions as they were and no session added; a reset is 202 and from then on the
    # old password and sessions get the "no owner password yet" refusal (403).
    snippet = LOCKED.replace('OLD', repr(OLD)).replace('NEW', repr(NEW)).replace(
        'THIRD', repr(THIRD)) % tuple(os.path.join(ROOT, d) for d in ('app', 'frozen',
                                                                         'scripts/sim'))
    out = subprocess.run([MICROPYTHON, '-c', snippet], capture_output=True, text=True,
                         timeout=60, cwd=str(tmp_path))
    assert out.returncode == 0, out.stderr
    lines = [ln for ln in out.stdout.splitlines() if not ln.startswith('ui:')]
    assert lines == [
        'login 303', 'login 303',
        'change 303 / 0', 'after 200 401 401 200 1',
        'unsaved 503 200 200 401 0',
        'reset 202 False 0', 'after 403 403 True 0'], out.stdout
