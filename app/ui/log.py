"""The recent-events log: a small ring buffer in RAM, shown by the log view and ``/api/log``.

``log.add('text')`` records a line (and prints it to the console); each line gets a sequence
number and the app's uptime in seconds, so the live stream can send only what is new.

The ring is allocated once, when the UI starts: `SIZE` lines of at most `WIDTH` bytes of text
each (a longer line is cut, at a character boundary). Adding a line writes into it and keeps
nothing new, so a busy board (each pin switched adds a line) leaves no small objects behind
between its requests to split the heap.
"""
import time

SIZE = 30  # lines kept
WIDTH = 72  # bytes of text kept per line
seq = 0  # the number of the last line added (0: none yet)
_text = bytearray(SIZE * WIDTH)
_len = bytearray(SIZE)  # bytes of text in each slot
_t = [0] * SIZE  # each line's uptime in seconds (small ints: no object each)


def add(*parts):
    """Record one line made of `parts` (joined by spaces)."""
    global seq
    from ui import STARTED
    text = ' '.join([str(p) for p in parts])
    print('ui:', text)
    data = text.encode()
    n = len(data)
    if n > WIDTH:
        n = WIDTH
        while n and data[n] & 0xC0 == 0x80:  # not in the middle of a character
            n -= 1
    seq += 1
    i = seq % SIZE
    _text[i * WIDTH:i * WIDTH + n] = memoryview(data)[:n]
    _len[i] = n
    _t[i] = int(time.time() - STARTED)


def since(n):
    """The lines newer than sequence number `n` (all kept lines for -1), oldest first:
    ``[{'seq', 't', 'text'}]``."""
    out = []
    for s in range(max(n + 1, seq - SIZE + 1, 1), seq + 1):
        i = s % SIZE
        start = i * WIDTH
        out.append({'seq': s, 't': _t[i], 'text': str(_text[start:start + _len[i]], 'utf-8')})
    return out


async def api(request, path, name):
    return since(-1)
