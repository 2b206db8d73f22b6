"""What a 6-client soak of the device UI gets served, run after run, and what refuses the rest.

    .venv/bin/python bench/soak_mpy.py [--heap 64wK] [--runs 5] [--reserve N] [--rom]

Each run is tests/host/test_memory_recovery.py's soak of the UI as `.mpy` under `--heap`
(`run_host --mpy`, 3 connections; `--rom`: the ESP8266 profile's ROMFS instead): a warm-up of
250 mixed requests from 6 clients, then the soak of `--soak` (240). It prints per run the
soak's answers ('none': the connection closed with no answer; 'reset': reset or timed out with
no answer; an event stream is answered once its head came, as the test counts it), the 503s
split by who sent them (``503-server``: the server's ready-made answer,
at accept or for a MemoryError outside the handler; ``503-app``: a handler's or the
framework's answer to a MemoryError inside the request's dispatch), requests with no answer at
all, the free heap (idle, low, after), the seconds until ``/`` answers again, and then the
mean, least and most of the 200s over the runs. `--reserve` sets ``Microdot.memory_reserve``
(`run_host --memory-reserve`). Lines the board prints that start with ``DBG`` are counted
(instrument a build by hand to see where refusals come from). A measurement, not a test.
"""
import argparse
import os
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.join(ROOT, 'tests', 'host'), os.path.join(ROOT, 'tests'),
                os.path.join(ROOT, 'frozen'), os.path.join(ROOT, 'scripts')]

import hostile_suite  # noqa: E402

_status_of = hostile_suite.status_of
CONSOLE = None  # --console FILE: the boards' output is appended there


def classified(answer):
    """The status of `answer`, with a 503 told apart by its sender; 'none' for no answer."""
    status = _status_of(answer)
    if status is None:
        return 'none'
    if status == 503:
        return '503-server' if answer.startswith(b'HTTP/1.0') else '503-app'
    return status


def one_run(heap, reserve, rom, total):
    import test_memory_recovery as tmr
    options = (['--rom'] if rom else ['--mpy']) + ['--heapsize', heap, '--max-connections', '3']
    if reserve is not None:
        options += ['--memory-reserve', str(reserve)]
    import pathlib
    t = tmr.ui_target(pathlib.Path(tempfile.mkdtemp(prefix='soak-mpy-')), options)
    probe = tmr.Probe(t, t.heap_path, t.heap_key)
    hostile_suite.status_of = classified
    try:
        base, low, after, took, page, counts, warm = tmr.recovery(t, probe, total)
    finally:
        hostile_suite.status_of = _status_of
        out = t.stop()
    dbg = {}
    for line in out.split('\n'):
        if line.startswith('DBG'):
            dbg[line] = dbg.get(line, 0) + 1
    if CONSOLE:
        with open(CONSOLE, 'a') as f:
            f.write(out)
    return {'counts': counts, 'warm': warm, 'base': base, 'low': low, 'after': after,
            'took': took, 'page': page, 'dbg': dbg, 'traceback': 'Traceback' in out}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--heap', default='64wK')
    parser.add_argument('--runs', type=int, default=5)
    parser.add_argument('--reserve', type=int, help='Microdot.memory_reserve (bytes)')
    parser.add_argument('--rom', action='store_true', help='the ESP8266 profile (ROMFS)')
    parser.add_argument('--soak', type=int, default=240)
    parser.add_argument('--console', help="append the boards' output to this file")
    args = parser.parse_args()
    global CONSOLE
    CONSOLE = args.console
    served = []
    for i in range(args.runs):
        r = one_run(args.heap, args.reserve, args.rom, args.soak)
        c = r['counts']
        served.append(c.get(200, 0))
        print('run %d: soak %s; warm-up %s; heap idle %s low %s after %s; answers again %s s, '
              '"/" %s s%s' % (
                  i + 1, dict(sorted(c.items(), key=str)), dict(sorted(r['warm'].items(), key=str)),
                  r['base'], r['low'], r['after'],
                  None if r['took'] is None else round(r['took'], 1),
                  None if r['page'] is None else round(r['page'], 1),
                  '; TRACEBACK' if r['traceback'] else ''), flush=True)
        if r['dbg']:
            print('   ', dict(sorted(r['dbg'].items())), flush=True)
    print('%s%s, reserve %s: 200s of %d per soak: mean %.1f, %d-%d over %d runs' % (
        args.heap, ' ROMFS' if args.rom else ' .mpy', args.reserve, args.soak,
        sum(served) / len(served), min(served), max(served), len(served)))


if __name__ == '__main__':
    main()
