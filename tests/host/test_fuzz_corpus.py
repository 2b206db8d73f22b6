"""A seeded random corpus of hostile requests (mutations of valid ones, 1-3 pipelined per
connection) replayed against the real server on 127.0.0.1 under every runtime (the .mpy build
under a 64wK heap). Every case must get a clean sequence of well-formed responses (never a 500)
or a clean close, nothing may reach the console, and the server must still answer afterwards.

`make test` replays FUZZ_CASES=1500 cases per runtime; `make fuzz` replays 100 000 (set
FUZZ_SEED to replay another corpus)."""
import collections
import os
from concurrent.futures import ThreadPoolExecutor

import fuzzing

CASES = int(os.environ.get('FUZZ_CASES', '1500'))
SEED = int(os.environ.get('FUZZ_SEED', '2026'))


def test_seeded_corpus_gets_clean_answers_and_the_server_stays_up(serve, runtime):
    server = serve('hard_app', heapsize='64wK' if runtime == 'mp-mpy' else None,
                   args=['request_timeout=2', 'max_connections=16'])
    statuses = collections.Counter()
    bad = []

    def replay(i):
        data = fuzzing.case(SEED, i)
        try:
            got, _ = fuzzing.check(server.port, data)
        except (fuzzing.Malformed, ValueError, OSError) as exc:
            return i, data, exc
        statuses.update(got or ['closed'])
        return None

    with ThreadPoolExecutor(8) as pool:
        for failure in pool.map(replay, range(CASES)):
            if failure is not None and len(bad) < 10:
                bad.append(failure)
    statuses_after, _ = fuzzing.check(server.port, b'GET / HTTP/1.1\r\n\r\n')
    out = server.stop()
    assert not bad, bad
    assert statuses_after == [200]
    assert 'Traceback' not in out, out[-3000:]
    assert statuses[200] > CASES // 20 and statuses[400] > CASES // 20, statuses  # both kinds
    print(runtime, dict(statuses))
