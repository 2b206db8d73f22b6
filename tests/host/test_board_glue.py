"""Static check of the board glue (boards/*/mpconfigboard.cmake and .mk), no toolchain needed.

A port includes the board's cmake/make file early in its own build script. Any variable the glue
uses must already be defined at that point, or it expands to nothing: on esp32 the board file is
included before anything sets MICROPY_DIR, so `include(${MICROPY_DIR}/ports/...)` became
`include(/ports/...)` and configure failed. The sets below are what each port defines before it
includes the board file (MicroPython v1.28.0 and the v1.29 development line: ports/esp32 and
ports/rp2 CMakeLists.txt, ports/esp8266/Makefile), plus CMake's own directory variables.
"""
import os
import re

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIRMWARE_MK = os.path.join(ROOT, 'scripts', 'mk', 'firmware.mk')

CMAKE_BUILTIN = {'CMAKE_CURRENT_LIST_DIR', 'CMAKE_CURRENT_SOURCE_DIR', 'CMAKE_SOURCE_DIR',
                 'CMAKE_BINARY_DIR', 'CMAKE_CURRENT_BINARY_DIR'}
DEFINED_BEFORE_BOARD = {
    'esp32': CMAKE_BUILTIN | {'MICROPY_BOARD', 'MICROPY_BOARD_DIR', 'MICROPY_BOARD_VARIANT',
                              'SDKCONFIG', 'MICROPY_USER_FROZEN_MANIFEST'},
    'rp2': CMAKE_BUILTIN | {'CMAKE_BUILD_TYPE', 'MICROPY_TARGET', 'MICROPY_DIR', 'PICO_SDK_PATH',
                            'PICO_TINYUSB_PATH', 'PICO_LWIP_PATH', 'PICO_BTSTACK_PATH',
                            'MICROPY_PORT_DIR', 'MICROPY_BOARD', 'MICROPY_BOARD_DIR',
                            'MICROPY_BOARD_VARIANT', 'MICROPY_USER_FROZEN_MANIFEST'},
    'esp8266': {'BOARD', 'BOARD_DIR', 'BOARD_VARIANT', 'BUILD'},
}
PORT_OF = {'ESP32_GENERIC': 'esp32', 'ESP32_GENERIC_S3': 'esp32', 'ESP8266_GENERIC': 'esp8266',
           'RPI_PICO_W': 'rp2', 'RPI_PICO2_W': 'rp2'}


def undefined_uses(text, port):
    """Variables the glue reads that the port has not defined before including it (variables
    the glue sets itself before reading them are fine)."""
    lines = [ln.split('#', 1)[0] for ln in text.splitlines()]
    defined = set(DEFINED_BEFORE_BOARD[port])
    bad = []
    for line in lines:
        if port == 'esp8266':
            used = re.findall(r'\$\((\w+)\)', line)
            m = re.match(r'\s*(\w+)\s*[:?+]?=', line)
        else:
            used = re.findall(r'\$\{(\w+)\}', line)
            m = re.match(r'\s*set\(\s*(\w+)', line, re.I)
        bad += [v for v in used if v not in defined and v not in bad]
        if m:
            defined.add(m.group(1))
    return bad


def glue_file(board):
    ext = 'mk' if PORT_OF[board] == 'esp8266' else 'cmake'
    return os.path.join(ROOT, 'boards', board, 'mpconfigboard.' + ext)


@pytest.mark.parametrize('board', sorted(PORT_OF))
def test_glue_uses_only_variables_the_port_defined_before_including_it(board):
    with open(glue_file(board)) as f:
        text = f.read()
    assert undefined_uses(text, PORT_OF[board]) == []


@pytest.mark.parametrize('board', sorted(PORT_OF))
def test_glue_includes_the_stock_file_that_staging_puts_beside_it(board):
    with open(glue_file(board)) as f:
        text = f.read()
    ext = glue_file(board).rsplit('.', 1)[1]
    includes = re.findall(r'^\s*include[ (](.*?)\)?\s*$', text, re.M)
    assert includes == [('${CMAKE_CURRENT_LIST_DIR}' if ext == 'cmake' else '$(BOARD_DIR)')
                        + '/mpconfigboard_stock.' + ext]
    with open(FIRMWARE_MK) as f:
        mk = f.read()
    assert '_stock.' in mk and 'mpconfigboard.%s' % ext in mk  # the staging rename


def test_check_catches_the_old_esp32_glue():
    old = ('include(${MICROPY_DIR}/ports/esp32/boards/ESP32_GENERIC/mpconfigboard.cmake)\n'
           'set(MICROPY_FROZEN_MANIFEST ${MICROPY_BOARD_DIR}/manifest.py)\n')
    assert undefined_uses(old, 'esp32') == ['MICROPY_DIR']
    assert undefined_uses(old, 'rp2') == []  # rp2 sets MICROPY_DIR first: it worked there
    assert undefined_uses('X ?= $(TOP)/y\n', 'esp8266') == ['TOP']
    assert undefined_uses('set(A 1)\nset(B ${A})\n', 'esp32') == []
