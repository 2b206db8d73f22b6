# microdot-firmware glue: the stock ESP32_GENERIC settings, plus our frozen manifest.
include(${MICROPY_DIR}/ports/esp32/boards/ESP32_GENERIC/mpconfigboard.cmake)
set(MICROPY_FROZEN_MANIFEST ${MICROPY_BOARD_DIR}/manifest.py)
