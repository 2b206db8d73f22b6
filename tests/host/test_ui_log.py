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
