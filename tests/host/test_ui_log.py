"""The UI's recent-events log (app/ui/log.py) on the unix port: what it keeps, and that adding
lines leaves no new object on the heap (each pin switched adds one; on a small board objects
left between requests split the heap)."""
import json
import os
import subprocess

from support.runtimes import MICROPYTHON

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

SNIPPET = r'''
import gc, json, sys
sys.path.insert(0, %r)
from ui import log
gc.collect()
empty = gc.mem_alloc()
for i in range(100):
    log.add('pin', 'led', 'level', i)
gc.collect()
full = gc.mem_alloc()
kept = log.since(-1)
log.add('update:', 'x' * 300)
log.add('\u00e9' * 150)
log.add('two', 'lines\nin one')
last = log.since(log.seq - 3)
print(json.dumps({'grew': full - empty, 'kept': kept, 'last': last}))
'''


def run():
    out = subprocess.run([MICROPYTHON, '-c', SNIPPET % os.path.join(ROOT, 'app')],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_log_keeps_the_last_30_lines_in_order_and_adding_them_keeps_no_object():
    r = run()
    assert [line['seq'] for line in r['kept']] == list(range(71, 101))
    assert r['kept'][-1]['text'] == 'pin led level 99' and r['kept'][0]['t'] >= 0
    assert r['grew'] < 256, r['grew']  # a dict and a str per line kept took about 5.7 KB


def test_long_lines_are_cut_at_a_character_boundary_and_stay_one_line():
    r = run()
    long, accents, two = r['last']
    assert long['text'].startswith('update: xxx') and 150 < len(long['text']) < 200
    assert set(accents['text']) == {'\u00e9'} and 70 < len(accents['text']) < 100
    assert two['text'] == 'two lines in one'


FULL = r'''
import gc, json, sys
sys.path.insert(0, %r)
from ui import log
log.add('before')
x, i, hog = 'x' * 40, 0, []
for size in (1024, 256, 64, 16):  # the heap filled to its last small block
    try:
        while True:
            hog.append(bytearray(size))
    except MemoryError:
        pass
del hog[-4:]  # room for the call (its arguments), none for the line
gc.collect()
while i < 40:
    log.add('lost', i, x)
    i += 1
hog.clear()  # its items gone, not only the name: a stale word on the C stack may hold the list
gc.collect()
log.add('after')
print(json.dumps({'texts': [line['text'] for line in log.since(-1)], 'seq': log.seq}))
'''


def test_a_line_that_finds_no_heap_is_left_out_and_the_log_stays_whole():
    """Short of heap, ``log.add`` leaves its line out instead of raising MemoryError: it is
    called once a change is done (a pin switched, settings saved, a network forgotten), and a
    MemoryError there answered 503 for a change that was made (issue 13)."""
    out = subprocess.run([MICROPYTHON, '-c', FULL % os.path.join(ROOT, 'app')],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    r = json.loads(out.stdout.strip().splitlines()[-1])
    assert r['texts'] == ['before', 'after'], r  # every line whole, none half written
    assert r['seq'] >= 2
