# The device web UI (app/): the build step that turns it into the files a board runs.
#
## make app-build              build/app/: app/*.py, gzipped static/ assets, utemplate-compiled templates/
## make app-build-mpy          the same compiled by mpy-cross into build/app-mpy/ (for small boards)
## make run-esp8266 [PORT=8080]  make run as an ESP8266-class board: .mpy, frozen/ in ROMFS,
##                  HEAP=56wK, 3 connections

HEAP ?= 56wK

.PHONY: app-build app-build-mpy run-esp8266

app-build: $(STAMP)
	$(PY) scripts/build_assets.py

app-build-mpy: $(STAMP)
	$(PY) scripts/build_assets.py --mpy build/app-mpy

run-esp8266: check-port $(STAMP)
	$(PY) scripts/run_host.py --host $(HOST) --port $(PORT) --rom --heapsize $(HEAP) --max-connections 3
