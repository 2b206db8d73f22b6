# Server hardening and performance (issue 5): long fuzz and soak runs, and the benchmark.
#
## make fuzz        100 000 seeded hostile cases per runtime + long hypothesis runs (FUZZ_SEED=...)
## make soak        10 000 requests at 50 concurrent connections, unix port .mpy, 64wK heap
## make hostile     the adversarial suite on every target, HOSTILE_ROUNDS times (default 5),
##                  and the memory-recovery soak with HOSTILE_SOAK requests (default 3000)
## make bench       our server vs raw asyncio vs Microdot 2.7.0 (unix port and CPython); see bench/

BENCH_MICRODOT := build/bench/microdot270
FUZZ_CASES ?= 100000
HYPOTHESIS_EXAMPLES ?= 20000
SOAK_REQUESTS ?= 10000

HOSTILE_ROUNDS ?= 5
HOSTILE_SOAK ?= 3000

.PHONY: fuzz soak bench hostile

fuzz: $(STAMP)
	FUZZ_CASES=$(FUZZ_CASES) HYPOTHESIS_EXAMPLES=$(HYPOTHESIS_EXAMPLES) \
	  $(PY) -m pytest -c tests/pytest.ini tests/host/test_fuzz_corpus.py \
	  tests/host/test_fuzz_hypothesis.py -q $(PYTEST_ARGS)

soak: $(STAMP)
	SOAK_REQUESTS=$(SOAK_REQUESTS) $(PY) -m pytest -c tests/pytest.ini tests/host/test_soak.py \
	  -q -s $(PYTEST_ARGS)

hostile: $(STAMP)
	HOSTILE_ROUNDS=$(HOSTILE_ROUNDS) HOSTILE_SOAK=$(HOSTILE_SOAK) \
	  $(PY) -m pytest -c tests/pytest.ini tests/host/test_hostile_suite.py \
	  tests/host/test_memory_recovery.py tests/host/test_hostile.py \
	  tests/host/test_hostile_websocket.py tests/host/test_hostile_bodies.py \
	  tests/host/test_streams_live.py tests/host/test_slowloris.py -q -s $(PYTEST_ARGS)

# Microdot 2.7.0 from PyPI, for comparison only: installed outside every import path of ours.
$(BENCH_MICRODOT)/microdot/__init__.py: $(STAMP)
	$(PY) -m pip install -q --no-deps --target $(BENCH_MICRODOT) microdot==2.7.0

bench: $(STAMP) $(BENCH_MICRODOT)/microdot/__init__.py
	@command -v wrk >/dev/null 2>&1 || (apt-get install -y -qq wrk >/dev/null 2>&1 || \
	  (apt-get update -qq && apt-get install -y -qq wrk) >/dev/null 2>&1) || \
	  echo "wrk not available: the Python load generator only"
	$(PY) bench/run.py --microdot $(BENCH_MICRODOT) $(BENCH_ARGS)
