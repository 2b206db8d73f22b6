"""What a settings save and the upload cases leave in the device UI's heap, and what a save needs.

    .venv/bin/python bench/save_heap.py [--heap 64wK] [--rom] [--peak] [--maps DIR]

A fresh simulated board (bench/ui_heap.py's `Board`: as `scripts/run_host.py --mpy` runs it by
default, `--rom` as the ESP8266 profile, 3 connections), then, with a heap map after each step
(free heap, largest free block, interned names, the modules loaded since the server listened):

1. the settings read and saved as they are, twice (hostile_suite's ``settle_settings``);
2. two real saves (a pin's power-on state changed, then back): the settings file written and
   the pins set up again;
3. hostile_suite's upload cases (``case_settings_upload``, ``case_uploads``): refused, cut
   and second uploads, deletes of the settings file;
4. the same two real saves again.

With `--peak`, at the end, the least free heap a real save still gets 200 with: the script's
``/__ballast?free=N`` route fills the heap with 256-byte blocks until about N bytes are free
(a heap in pieces, as a busy board's), the save is sent (no retry), the blocks are let go;
N is bisected. A measurement, not a test: the figures go to docs/memory.md.
"""
import argparse
import json
import os
import re
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.dirname(os.path.abspath(__file__)), os.path.join(ROOT, 'tests', 'host'),
                os.path.join(ROOT, 'tests')]
import ui_heap  # noqa: E402  (Board, analyse, summary)

# One route more: fill the heap with small blocks until about `free` bytes are left (0: let go)
BALLAST = '''
_ballast = []
def _fill(*a, _l=launcher.load):
    m, e = _l(*a)
    if m is not None:
        async def _b(request):
            import gc
            _ballast.clear()
            gc.collect()
            want = int(request.args.get('free', '0'))
            if want:
                try:
                    while gc.mem_free() > want:
                        _ballast.append(bytearray(240))
                except MemoryError:
                    pass
            return str(gc.mem_free())
        m.app.get('/__ballast')(_b)
    return m, e
launcher.load = _fill
'''


class Target:
    """What hostile_suite's cases need of the board."""

    upload_path = '/api/files'
    settings = 'config.json'
    settings_path = '/api/settings'
    delete_path = '/api/files?path='

    def __init__(self, board):
        self.board = board
        self.port = board.port
        self.auth = board.auth
        self.fs = board.fs

    def raw(self, data, timeout=10.0):
        from support.rawhttp import exchange
        return exchange(self.port, data, timeout)


def save_body(board, flip):
    """The settings page's whole form, with the first output pin's power-on state `flip`ped."""
    for _ in range(20):
        answer = board.request('GET', '/api/settings')
        if answer.startswith(b'HTTP/1.1 200'):
            break
        time.sleep(0.5)
    d = json.loads(answer.split(b'\r\n\r\n', 1)[1])
    d.pop('ap_password_set', None)
    for p in d['pins']:
        if p['mode'] != 'input':
            p['on'] = bool(flip)
            break
    return json.dumps(d).encode()


def post(board, body, tries=20):
    """The statuses of a save sent again while it is 503."""
    import hostile_suite
    got = []
    for _ in range(tries):
        s = hostile_suite.status_of(board.request(
            'POST', '/api/settings', body, b'Content-Type: application/json\r\n'))
        got.append(s)
        if s != 503:
            break
        time.sleep(0.5)
    return got


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--heap', default='64wK')
    parser.add_argument('--rom', action='store_true', help='the ESP8266 profile (ROMFS)')
    parser.add_argument('--peak', action='store_true', help='bisect the free heap a save needs')
    parser.add_argument('--maps', help='write the full heap maps into this folder')
    args = parser.parse_args()
    import hostile_suite
    ui_heap.HOOK += BALLAST
    board = ui_heap.Board(args.heap, mpy=not args.rom)
    first = None
    prev = []
    try:
        def step(tag):
            nonlocal first
            time.sleep(2.0)  # connections closed
            lines = board.file_map()  # (a request's own heap is not in it)
            a = ui_heap.analyse(lines)
            ui_heap.summary(tag, a)
            mods = set(a.get('modules', ()))
            if prev:
                total, by, big = ui_heap.new_objects(prev[-1], a)
                print('%22s new since the step before: %d B %r; largest %r' % (
                    '', total, by, big[:4]))
            prev[:] = [a]
            if first is None:
                first = mods
            else:
                print('%22s loaded since listening: %s' % ('', ' '.join(sorted(mods - first))))
            if args.maps:
                os.makedirs(args.maps, exist_ok=True)
                with open(os.path.join(args.maps, tag + '.txt'), 'w') as f:
                    f.write('\n'.join(lines) + '\n')
        time.sleep(1.5)
        a = ui_heap.analyse(board.file_map())
        ui_heap.summary('listening', a)
        first = set(a.get('modules', ()))
        prev.append(a)
        step('rest')
        t = Target(board)
        body = hostile_suite.settle_settings(t)
        step('settle')
        print('real saves', post(board, save_body(board, 1)), post(board, save_body(board, 0)))
        step('real-saves')
        print('upload cases', hostile_suite.case_settings_upload(t), hostile_suite.case_uploads(t))
        step('uploads')
        print('real saves', post(board, save_body(board, 1)), post(board, save_body(board, 0)))
        step('saves-after')
        print('unchanged save', post(board, body))
        if args.peak:
            bodies = [save_body(board, 1), save_body(board, 0)]
            lo, hi = 0, 24000  # fails at lo, passes at hi
            i = 0
            while hi - lo > 256:
                mid = (lo + hi) // 2
                got = board.request('GET', '/__ballast?free=%d' % mid)
                free = got.split(b'\r\n\r\n', 1)[1].decode()
                s = post(board, bodies[i % 2], tries=1)[0]
                board.request('GET', '/__ballast?free=0')
                if s == 200:
                    i += 1
                    hi = mid
                else:
                    lo = mid
                print('  ballast to %d (free %s): %s' % (mid, free, s))
            print('a real save needs about %d-%d B free (in 256-byte pieces)' % (lo, hi))
    finally:
        board.stop()
    print('\n'.join(line for line in board.lines if 'Traceback' in line or 'Error' in line))


if __name__ == '__main__':
    main()
