# microdot-firmware glue: the stock RPI_PICO2_W settings (CYW43 Wi-Fi, lwIP, Bluetooth), plus our
# frozen manifest.
include(${MICROPY_DIR}/ports/rp2/boards/RPI_PICO2_W/mpconfigboard.cmake)
set(MICROPY_FROZEN_MANIFEST ${MICROPY_BOARD_DIR}/manifest.py)
