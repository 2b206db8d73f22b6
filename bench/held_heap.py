"""What keeps modules the device UI dropped in its heap, and through what (Linux only).

    .venv/bin/python bench/held_heap.py [--heap 64wK] [--runs 1] [--after-saves]

Each run: a fresh simulated board (bench/ui_heap.py's `Board`, the UI as .mpy as
`scripts/run_host.py --mpy` runs it, 3 connections), hostile_suite's ``settle_settings``, a real
save, then hostile_suite's upload cases (``case_settings_upload``, ``case_uploads``). Then the
board collects its garbage and prints its heap map (the file trigger of ui_heap's hook), and this
script reads the board's memory itself (``/proc/<pid>/mem``; the board is its child): the GC
pool, the micropython extension's writable data (``mp_state_ctx``, the GC's roots) and the
process stack (the GC scans the C stack conservatively).

It lists every module object still in the heap that is not in ``sys.modules`` (a module the UI
dropped, which should have gone), with its name and names (decoded through the qstr pools), and
for each, the shortest chains of references from a root to it: ``mp_state_ctx+424`` is the
table of ``sys.modules`` (a slot a failed import left, see device.launcher.unload), ``stack
top-N`` a word N bytes below the top of the process stack. Types are named from the extension's
symbols (``nm``). With ``--after-saves``, the same once more after a real save.
A measurement, not a test: the figures go to docs/memory.md.
"""
import argparse
import bisect
import os
import re
import struct
import subprocess
import sys
import time

sys.path[:0] = [os.path.dirname(os.path.abspath(__file__))]
import save_heap  # noqa: E402  (Target, save_body, post; puts tests/ on the path)
import ui_heap  # noqa: E402  (Board, analyse, objects, summary)

# the heap map also gives each loaded module's address
ui_heap.HOOK = ui_heap.HOOK.replace("print('module', k)", "print('module', k, id(sys.modules[k]))")


class Memory:
    """The board process's memory: its maps and its words."""

    def __init__(self, pid):
        self.maps = []
        with open('/proc/%d/maps' % pid) as f:
            for line in f:
                parts = line.split()
                lo, hi = (int(x, 16) for x in parts[0].split('-'))
                self.maps.append((lo, hi, parts[1], int(parts[2], 16),
                                  parts[5] if len(parts) > 5 else ''))
        self.f = open('/proc/%d/mem' % pid, 'rb')

    def read(self, addr, n):
        self.f.seek(addr)
        return self.f.read(n)

    def word(self, addr):
        return struct.unpack('<Q', self.read(addr, 8))[0]


def symbols(mem):
    """[(address, name)] of the MicroPython extension's symbols, sorted."""
    mapped = [m for m in mem.maps if 'micropython_run' in m[4]]
    base = min(m[0] - m[3] for m in mapped if m[3] == 0)
    out = subprocess.run(['nm', mapped[0][4]], capture_output=True, text=True).stdout
    syms = []
    for line in out.splitlines():
        p = line.split()
        if len(p) == 3 and re.match(r'^[0-9a-f]+$', p[0]):
            syms.append((int(p[0], 16) + base, p[2]))
    syms.sort()
    return syms


def symbol(syms, addr):
    i = bisect.bisect_right(syms, (addr, '\xff')) - 1
    return syms[i][1] if i >= 0 and addr - syms[i][0] < 4096 else None


class Qstrs:
    """Names from qstr numbers, through the pool chain (``MP_STATE_VM(last_pool)``, a word of
    ``mp_state_ctx``): each pool is prev, total_prev_len, alloc, len, hashes, lengths, qstrs[]."""

    def __init__(self, mem, ctx):
        self.mem = mem
        self.pools = []
        data = mem.read(ctx, 4096)
        for i in range(0, 4096, 8):
            p = struct.unpack_from('<Q', data, i)[0]
            try:
                h = struct.unpack('<6Q', mem.read(p, 48)) if p > 4096 else None
            except (OSError, ValueError, OverflowError):
                continue
            prev = h and h[1] & ~(1 << 63)
            if h and 500 < prev < 10000 and 0 < h[3] <= h[2] < 10000 and h[0] > 4096:
                while p:
                    h = struct.unpack('<6Q', mem.read(p, 48))
                    self.pools.append((h[1] & ~(1 << 63), h[3], p))
                    p = h[0]
                return

    def __call__(self, q):
        for first, n, addr in self.pools:
            if first <= q < first + n:
                p = self.mem.word(addr + 48 + 8 * (q - first))
                return self.mem.read(p, 80).split(b'\0')[0].decode(errors='replace')
        return '?q%d' % q


def held_modules(board, lines, out=print):
    """Analyse the board's memory after the heap map `lines`: the dropped modules still held,
    and their chains from a root. Returns [(name, number of names)]."""
    mem = Memory(board.proc.pid)
    syms = symbols(mem)
    by_name = dict((n, a) for a, n in syms)
    a = ui_heap.analyse(lines)
    start = None
    loaded = set()
    for line in lines:
        m = re.search(r'GC memory layout; from (?:0x)?([0-9a-f]+):', line)
        if m:
            start = int(m.group(1), 16)
        p = line.split()
        if len(p) == 3 and p[0] == 'module':
            loaded.add(int(p[2]))
    total = a['total']
    n = total // 32
    cells = a['map'][:n].ljust(n, '.')
    words = struct.unpack('<%dQ' % (total // 8), mem.read(start, total))
    heads = dict((s, size) for s, _, size in ui_heap.objects(cells))

    def block(w):  # the object a word points to (the GC marks only a pointer into a head)
        if start <= w < start + total:
            b = (w - start) // 32
            return b if b in heads else None
        return None

    def kind(b):
        w = words[b * 4]
        name = symbol(syms, w) if w else None
        return (name or ('type@%d' % block(w) if block(w) is not None else cells[b])).replace(
            'mp_type_', '')

    referrers = {}
    for s, size in heads.items():
        for i in range(s * 4, (s + size) * 4):
            t = block(words[i])
            if t is not None and t != s:
                referrers.setdefault(t, []).append(s)
    roots = {}
    for lo, hi, perm, _, path in mem.maps:
        if 'rw' not in perm or lo <= start < hi or hi - lo > 64 << 20 or not (
                'micropython_run' in path or path == '[stack]'):
            continue
        data = mem.read(lo, hi - lo)
        for i, w in enumerate(struct.unpack('<%dQ' % (len(data) // 8), data)):
            t = block(w)
            if t is not None:
                roots.setdefault(t, []).append((lo + i * 8, path))
    ctx = by_name['mp_state_ctx']
    stack_top = [m[1] for m in mem.maps if m[4] == '[stack]'][0]
    qstr = Qstrs(mem, ctx)

    def where(addr, path):
        if ctx <= addr < ctx + 4096:
            return 'mp_state_ctx+%d' % (addr - ctx)
        if path == '[stack]':
            return 'stack top-%d' % (stack_top - addr)
        return '%x %s' % (addr, symbol(syms, addr) or path)

    module_type = by_name['mp_type_module']
    held = [b for b in heads if words[b * 4] == module_type and start + b * 32 not in loaded]
    out('%d modules loaded; %d module objects not in sys.modules' % (len(loaded), len(held)))
    found = []
    for m in held:
        g = block(words[m * 4 + 1])
        names, name = [], '?'
        alloc, table = (words[g * 4 + 2], words[g * 4 + 3]) if g is not None else (0, 0)
        if 0 < alloc < 1000:
            t = struct.unpack('<%dQ' % (2 * alloc), mem.read(table, 16 * alloc))
            for k, v in zip(t[::2], t[1::2]):
                if k & 7 == 2:  # a qstr object
                    names.append(qstr(k >> 3))
                    if names[-1] == '__name__' and v & 7 == 2:
                        name = qstr(v >> 3)
        found.append((name, len(names)))
        out('  %s (%d names: %s)' % (name, len(names), ' '.join(sorted(names)[:10])))
        seen = {m: None}
        wave, rooted = [m], []
        while wave and len(rooted) < 4:
            nxt = []
            for b in wave:
                if b in roots:
                    rooted.append(b)
                for r in referrers.get(b, ()):
                    if r not in seen:
                        seen[r] = b
                        nxt.append(r)
            wave = nxt
        for b in rooted:
            chain = []
            x = b
            while x is not None:
                chain.append('%s[%d B]' % (kind(x), heads[x] * 32))
                x = seen[x]
            out('    %s -> %s' % (', '.join(where(*r) for r in roots[b][:3]), ' -> '.join(chain)))
        if not rooted:
            out('    no root found (%d referrers)' % (len(seen) - 1))
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--heap', default='64wK')
    parser.add_argument('--runs', type=int, default=1)
    parser.add_argument('--after-saves', action='store_true')
    args = parser.parse_args()
    import hostile_suite
    results = []
    for run in range(args.runs):
        board = ui_heap.Board(args.heap, mpy=True)
        try:
            time.sleep(1.5)
            t = save_heap.Target(board)
            hostile_suite.settle_settings(t)
            saves = save_heap.post(board, save_heap.save_body(board, 1))
            print('run %d: real save %r; upload cases %r' % (
                run + 1, saves, hostile_suite.case_settings_upload(t) + hostile_suite.case_uploads(t)))
            time.sleep(2.0)  # connections closed
            lines = board.file_map()
            a = ui_heap.analyse(lines)
            ui_heap.summary('after the uploads', a)
            held = held_modules(board, lines)
            results.append((a['free'], a['max_free_blocks'] * 32, held))
            if args.after_saves:
                print('real saves', save_heap.post(board, save_heap.save_body(board, 0)))
                time.sleep(2.0)
                lines = board.file_map()
                ui_heap.summary('after the saves', ui_heap.analyse(lines))
                held_modules(board, lines)
        finally:
            board.stop()
    print('\nafter the upload cases, %d runs:' % len(results))
    for free, big, held in results:
        print('  free %6d B, largest block %5d B, dropped modules held: %s' % (
            free, big, ', '.join('%s (%d names)' % h for h in held) or 'none'))


if __name__ == '__main__':
    main()
