# microdot-firmware glue: the stock ESP32_GENERIC settings, plus our frozen manifest.
# The stock file is staged beside this one by `make firmware` (boards/README.md).
include(${CMAKE_CURRENT_LIST_DIR}/mpconfigboard_stock.cmake)
set(MICROPY_FROZEN_MANIFEST ${MICROPY_BOARD_DIR}/manifest.py)
