# The device web UI (app/): the build step that turns it into the files a board runs.
#
## make app-build              build/app/: app/*.py, gzipped static/ assets, utemplate-compiled templates/
## make app-build-mpy          the same compiled by mpy-cross into build/app-mpy/ (for small boards)
## make run-esp8266            make run with .mpy bytecode, frozen/ in ROMFS and a small heap (HEAP=56wK)

# `make deploy` / `make mount` take the built image, not the sources: the board needs the
# gzipped assets and the compiled templates. (app.mk is included before device.mk.)
APP_DIR ?= build/app
HEAP ?= 56wK

.PHONY: app-build app-build-mpy run-esp8266

app-build: $(STAMP)
	$(PY) scripts/build_assets.py

app-build-mpy: $(STAMP)
	$(PY) scripts/build_assets.py --mpy build/app-mpy

deploy mount: app-build

run-esp8266: $(STAMP)
	$(PY) scripts/run_host.py --host $(HOST) --port $(PORT) --rom --heapsize $(HEAP)
