"""The recent-events log: a small ring buffer in RAM, shown by the log view and ``/api/log``.

``log.add('text')`` records a line (and prints it to the console); each line gets a sequence
number and the app's uptime in seconds, so the live stream can send only what is new.
"""
import time

SIZE = 30  # lines kept
seq = 0
_lines = []


def add(*parts):
    """Record one line made of `parts` (joined by spaces)."""
    global seq
    from ui import STARTED
    text = ' '.join([str(p) for p in parts])
    print('ui:', text)
    seq += 1
    _lines.append({'seq': seq, 't': int(time.time() - STARTED), 'text': text})
    if len(_lines) > SIZE:
        _lines.pop(0)


def since(n):
    """The lines newer than sequence number `n` (all kept lines for -1), oldest first."""
    return [line for line in _lines if line['seq'] > n]


async def api(request, path, name):
    return since(-1)
