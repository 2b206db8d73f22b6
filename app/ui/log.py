"""The recent-events log: a small ring buffer in RAM, shown by the log view and ``/api/log``.

``log.add('text')`` records a line (and prints it to the console); each line gets a sequence
number and the app's uptime in seconds, so the live stream can send only what is new.

The lines are kept in one block allocated when the UI starts (`CAP` bytes, as the text
``"<seq> <t> <text>\\n"``): the last `SIZE` lines, fewer if they are long (a line is cut at
`LONGEST` bytes, at a character boundary). Adding a line writes into the block and drops the
oldest lines to make room; it keeps no new object, so a busy board (each pin switched adds a
line) leaves no small objects behind between its requests to split the heap.
"""
import time

SIZE = 30  # lines kept at most
CAP = 1024  # bytes for them all (30 lines of a switched pin take about 720)
LONGEST = 200  # bytes of one line at most (with its numbers)
seq = 0  # the number of the last line added (0: none yet)
_buf = bytearray(CAP)
_used = 0  # bytes of _buf in use
_count = 0  # lines in it


def add(a, b=None, c=None, d=None):
    """Record one line made of up to four parts (joined by spaces; None is left out). Short of
    heap for it, the line is left out (the lines kept stay whole): a request that changed
    something is never answered 503 for its log line (the change is done by then). The parts
    are named, not ``*parts``: a call then makes no tuple, which would need heap before the
    line is tried."""
    global seq, _used, _count
    try:
        from ui import STARTED
        text = ' '.join([str(p) for p in (a, b, c, d) if p is not None])
        print('ui:', text)
        data = ('%d %d %s' % (seq + 1, int(time.time() - STARTED),
                              text.replace('\n', ' '))).encode()
        text = None
        n = len(data)
        if n >= LONGEST:
            n = LONGEST - 1
            while data[n] & 0xC0 == 0x80:  # not in the middle of a character
                n -= 1
        buf = memoryview(_buf)
        line = memoryview(data)[:n]
        drop, count = 0, _count
        while count and (count >= SIZE or _used - drop + n + 1 > CAP):  # the oldest line goes
            while _buf[drop] != 10:
                drop += 1
            drop += 1
            count -= 1
        if drop:
            buf[:_used - drop] = buf[drop:_used]
    except MemoryError:
        return
    seq += 1
    _used -= drop
    _count = count
    try:
        buf[_used:_used + n] = line
    except MemoryError:  # (only the oldest lines went)
        return
    _buf[_used + n] = 10
    _used += n + 1
    _count += 1


def since(n):
    """The lines newer than sequence number `n` (all kept lines for -1), oldest first:
    ``[{'seq', 't', 'text'}]``."""
    out = []
    start = 0
    while start < _used:
        end = start
        while _buf[end] != 10:
            end += 1
        s, t, text = str(_buf[start:end], 'utf-8').split(' ', 2)
        if int(s) > n:
            out.append({'seq': int(s), 't': int(t), 'text': text})
        start = end + 1
    return out


async def api(request, path, name):
    return since(-1)
