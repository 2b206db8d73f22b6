"""Refused uploads and deletes of the settings file on the ESP8266 profile (`make run-esp8266`:
framework in ROMFS, app as .mpy, 56wK, 3 connections; bench/ui_heap.py's board, which can show
its loaded modules): each is refused with its 400 at once, afterwards the upload code is
unloaded again, and a save of the settings as the settings page sends it (hostname, port and
every pin) is answered 200 within seconds.

Before (issue 13 item 6, audit2 F1) five refused uploads left ``device.install`` loaded (~3 KB),
and the save, which built the settings file's whole text as one string, needed a free block
larger than any the heap had left: 503 for ten seconds and more. The uploads themselves were
refused 503, not with the 400 that explains why (F2): the refusal needed ``device.install``
(now a failed import of it is tried again when the first file comes), and the check of the name needed
``sys.modules`` to grow into a new 592-byte table the heap had no block for (``ui`` gives it
room at boot now).

On the same board, accepted uploads one after another are each installed (issue 13: from the
second upload on, a .py file or 3 KB was 503 on every retry)."""
import json
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, 'bench'))

NAMES = ['config.json', 'CONFIG.JSON', 'config.json.', 'config.json.tmp', 'config.json.bak']


def _status(answer):
    import hostile_suite
    return hostile_suite.status_of(answer)


def _save(board, body, tries):
    """The statuses of a settings save sent again while it is 503, at most `tries` times."""
    got = []
    for _ in range(tries):
        got.append(_status(board.request('POST', '/api/settings', body,
                                         b'Content-Type: application/json\r\n')))
        if got[-1] != 503:
            break
        time.sleep(0.5)
    return got


def test_refused_uploads_leave_no_module_loaded_and_a_save_with_pins_works():
    import hostile_suite
    import ui_heap
    board = ui_heap.Board('56wK')
    try:
        for _ in range(20):
            answer = board.request('GET', '/api/settings')
            if _status(answer) == 200:
                break
            time.sleep(0.5)
        body = answer.split(b'\r\n\r\n', 1)[1]
        assert len(json.loads(body)['pins']) >= 4, body  # the save the settings page sends
        assert _save(board, body, 20)[-1] == 200
        before = ui_heap.analyse(board.heap_map('before'))['modules']
        got = []
        for name in NAMES:
            files = hostile_suite._multipart([(name.encode(), b'{"hostname": "taken"}')])
            got.append(_status(board.request('POST', '/api/files', files, b'Content-Type: '
                                             b'multipart/form-data; boundary=hostile7boundary\r\n')))
            got.append(_status(board.request('DELETE', '/api/files?path=' + name)))
        assert got == [400] * 10, got  # the explaining 400 at once (F2: the uploads' were 503)
        modules = ui_heap.analyse(board.heap_map('after'))['modules']
        assert sorted(set(modules) - set(before)) == []
        for _ in range(3):
            got = _save(board, body, 6)  # within 3 s
            assert got[-1] == 200, got
    finally:
        board.stop()


def _upload(board, files, tries=3):
    """The statuses of an upload of `files` sent again while it is 503, at most `tries` times."""
    import hostile_suite
    body = hostile_suite._multipart(files)
    got = []
    for _ in range(tries):
        got.append(_status(board.request('POST', '/api/files', body, b'Content-Type: '
                                         b'multipart/form-data; boundary=hostile7boundary\r\n')))
        if got[-1] != 503:
            break
        time.sleep(0.5)
    return got


def test_accepted_uploads_one_after_another_are_each_installed():
    """Uploads a user sends one after the other (issue 13: an accepted upload could get 503,
    its modules finding no room): a small file, again, a .py file, a small file, 3 KB, a .py
    file again: each is 201 (a retry allowed) and its file is on the board whole. Before
    ui.files collected the request's garbage ahead of the upload's imports, the .py files and
    the 3 KB were 503 on every retry, 4 runs in 4."""
    import ui_heap
    source = open(os.path.join(ROOT, 'app', 'ui', 'files.py'), 'rb').read()
    steps = [('x.txt', b'small'), ('x.txt', b'small too'), ('lib/files2.py', source),
             ('y.txt', b'y'), ('mid.bin', b'm' * 3000), ('lib/files3.py', source)]
    board = ui_heap.Board('56wK')
    try:
        got = [_upload(board, [(name.encode(), data)]) for name, data in steps]
        assert [g[-1] for g in got] == [201] * len(steps), got
        for name, data in steps[1:]:
            with open(os.path.join(board.fs, name), 'rb') as f:
                assert f.read() == data, name
    finally:
        board.stop()

