"""The login of the device UI on a board with less heap than the ESP8266 profile's (`make
run-esp8266`: framework in ROMFS, app as .mpy, 56wK, 3 connections): a fresh board of 53wK,
the first request after it listens (bench/login_heap.py's board and requests).

Before the login was split (2026-11-29) a login loaded `ui.login` with the password-setting
page, `ui.verify`, `microdot.login` (and `microdot.helpers`), `microdot.jwt` and `device.owner`,
and built the form as one string: both `GET /login` and `POST /login` got the retrying 503 page
below 56wK, the profile's own heap. Now the form is a static page (48wK suffice) and a login
loads `ui.login` and `device.owner` only (51wK). Figures: docs/memory.md, "The login's heap"."""
import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, 'bench'))

HEAP_WK = 53


@pytest.mark.parametrize('name', ['GET /login', 'POST /login'])
def test_the_login_works_on_a_smaller_heap_than_the_esp8266s(name):
    import login_heap
    assert login_heap.answered(HEAP_WK, name), '%s refused on a fresh %dwK board' % (
        name, HEAP_WK)


CHECK_ALONE = r'''
import sys, asyncio, json
sys.path[:0] = [%r, %r, %r]
from device import launcher, owner
with open('config.json', 'w') as f:
    json.dump({'hostname': 'board', 'networks': [], 'owner': owner.make(%r, 2)}, f)
launcher.unload('device.owner')
launcher.unload('hmacsha256')
from microdot import Microdot
from microdot.test_client import TestClient
import ui
from ui import auth
app = Microdot()
ui.install(app)
PAGES = ('ui.login', 'ui.password', 'ui.authpage')
loaded = []  # the pages' modules loaded at each password check
check = auth.password_ok
def spy(request, password):
    loaded.append(' '.join(k for k in PAGES if k in sys.modules) or '-')
    return check(request, password)
auth.password_ok = spy
client = TestClient(app)
FORM = {'Content-Type': 'application/x-www-form-urlencoded', 'Host': 'board'}
async def main():
    for path, body in (('/login', 'password=%s'),
                       ('/password', 'current=%s&password=new+one+1&confirm=new+one+1'),
                       ('/login', 'password=%s')):
        res = await client.post(path, FORM, body)
        left = [k for k in PAGES + ('device.owner', 'hmacsha256') if k in sys.modules]
        print(res.status_code, loaded[-1], ' '.join(left) or '-')
asyncio.run(main())
'''


def test_the_password_is_checked_before_the_page_module_loads(tmp_path):
    # A login (and a password change) checks the password with device.owner before ui.login
    # (ui.password) loads, and drops it again: on a heap in pieces the two never need room at
    # the same time. Before, ui.login was loaded during the check: the second of two first
    # visits of the .mpy UI at 64wK got 503 in 7 runs of 7 (test_memory_recovery's
    # MPY_LOGIN_HEAP).
    import subprocess
    from support.runtimes import MICROPYTHON
    from test_app import PASSWORD
    typed = PASSWORD.replace(' ', '+')
    snippet = CHECK_ALONE % (os.path.join(ROOT, 'app'), os.path.join(ROOT, 'frozen'),
                             os.path.join(ROOT, 'scripts', 'sim'), PASSWORD, typed, typed,
                             typed)
    out = subprocess.run([MICROPYTHON, '-c', snippet], capture_output=True, text=True,
                         timeout=60, cwd=str(tmp_path))
    assert out.returncode == 0, out.stderr
    lines = [line for line in out.stdout.splitlines() if line[:1].isdigit()]  # not the log
    # the right password: a session; a change: a new session; the old password then: the
    # form again (401); at each check no page module is loaded, after each answer none of
    # them nor the check's modules are left
    assert [line.split()[0] for line in lines] == ['303', '303', '401'], lines
    assert [line.split()[1:] for line in lines] == [['-', '-']] * 3, lines
