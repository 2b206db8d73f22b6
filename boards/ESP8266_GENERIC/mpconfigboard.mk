# microdot-firmware glue: the stock ESP8266_GENERIC settings with our frozen manifest. Only the
# default (2 MiB or larger flash) build: the FLASH_1M image has no asyncio, FLASH_512K no
# filesystem. The stock file sets FROZEN_MANIFEST with ?=, so ours (set first) wins.
FROZEN_MANIFEST ?= $(BOARD_DIR)/manifest.py
# The stock file is staged beside this one by `make firmware` (boards/README.md).
include $(BOARD_DIR)/mpconfigboard_stock.mk
