# microdot-firmware glue: the stock ESP32_GENERIC_S3 settings, plus our frozen manifest.
include(${MICROPY_DIR}/ports/esp32/boards/ESP32_GENERIC_S3/mpconfigboard.cmake)
set(MICROPY_FROZEN_MANIFEST ${MICROPY_BOARD_DIR}/manifest.py)
