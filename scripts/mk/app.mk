# The device web UI (app/): the build step that turns it into the files a board runs.
#
## make app-build              build/app/: app/*.py, gzipped static/ assets, utemplate-compiled templates/
## make app-build-mpy          the same compiled by mpy-cross into build/app-mpy/ (for small boards)
## make run-esp8266            make run as an ESP8266-class board: .mpy, frozen/ in ROMFS, HEAP=56wK, 3 connections

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
	$(PY) scripts/run_host.py --host $(HOST) --port $(PORT) --rom --heapsize $(HEAP) --max-connections 3
