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
