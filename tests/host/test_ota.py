"""Firmware update over the air, end to end on the simulated ESP32: the real runtime and web UI
(app/, built as `make deploy` ships it) on the MicroPython unix port, the HTTP upload through the
real server, the image written through the simulated `esp32.Partition` into files that play the
flash (scripts/sim/esp32flash.py), the simulated bootloader choosing what boots after each reset.

The board "runs" whatever image its bootloader picked (the host cannot execute one): what the
tests follow is which slot is running, its otadata state, and the runtime's own decisions."""
import base64
import hashlib
import json
import os
import shutil
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

HOST_TESTS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HOST_TESTS))
sys.path.insert(0, os.path.join(ROOT, 'scripts', 'sim'))
import esp32flash  # noqa: E402

HOME = {'ssid': 'home', 'password': 'secret', 'rssi': -50}
PIECE = 65536
PASSWORD = 'owner of the board'
BASIC = 'Basic ' + base64.b64encode(('admin:' + PASSWORD).encode()).decode()


def http(board, path, data=None, auth=True):
    """(status, body) of a request to the board, as its owner (HTTP Basic) unless `auth` is
    False."""
    req = urllib.request.Request('http://127.0.0.1:%d%s' % (board.port, path), data=data)
    if auth:
        req.add_header('Authorization', BASIC)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def api(board, path, data=None, auth=True):
    """(status, parsed JSON)."""
    status, body = http(board, path, data, auth)
    return status, json.loads(body)


@pytest.fixture(scope='module')
def app_image(tmp_path_factory):
    sys.path.insert(0, os.path.join(ROOT, 'scripts'))
    import build_assets
    out = str(tmp_path_factory.mktemp('app-image'))
    build_assets.main(['--quiet', '--out', out])
    return out


def install(board, app_image, monkeypatch, table='ota', **config):
    """Give `board` the web UI, a saved network and a flash with firmware 1.0.0 booted."""
    for name in os.listdir(app_image):
        src = os.path.join(app_image, name)
        dest = os.path.join(board.fs, name)
        (shutil.copytree if os.path.isdir(src) else shutil.copy)(src, dest)
    board.world(networks=[HOME])
    from device import owner
    cfg = {'networks': [{'ssid': 'home', 'password': 'secret'}], 'owner': owner.make(PASSWORD)}
    cfg.update(config)
    board.write('config.json', cfg)
    path = os.path.join(board.fs, '.flash')
    monkeypatch.setenv('MICRODOT_FLASH', path)
    esp32flash.create(path, table)
    return esp32flash.Flash(path)


def start(board, **overrides):
    n = len(board.lines) if board.proc else 0
    board.boot(**overrides)
    board.wait_for('launcher: starting the app', after=0)
    time.sleep(0.3)
    return n


def upload(board, image, sha256=None, size=None, piece=PIECE):
    """Send `image` as the page does: pieces of `piece` bytes. The last answer."""
    sha256 = sha256 or hashlib.sha256(image).hexdigest()
    size = len(image) if size is None else size
    for offset in range(0, len(image), piece):
        q = urllib.parse.urlencode({'size': size, 'sha256': sha256, 'offset': offset})
        status, answer = api(board, '/api/firmware?' + q, image[offset:offset + piece])
        if status != 202:
            return status, answer
    return status, answer


def reboot(board):
    """Wait for the board's machine.reset() (exit 77) and start it again."""
    assert board.wait_exit(10) == 77, board.output
    board.lines = []
    board.boot()


def test_a_good_image_boots_and_is_confirmed_by_the_first_ui_response(board, app_image,
                                                                      monkeypatch):
    flash = install(board, app_image, monkeypatch)
    start(board)
    assert 'WDT' not in board.output  # off by default, on only for an update on trial
    status, state = api(board, '/api/firmware')
    assert status == 200 and state['ota'] is True
    assert state['running']['label'] == 'ota_0' and state['running']['version'] == '1.0.0'
    assert state['next']['label'] == 'ota_1' and state['next']['size'] == 0x180000
    image = esp32flash.make_image('2.0.0', 200000)
    status, answer = upload(board, image)
    assert status == 200, answer
    assert answer == {'received': len(image), 'size': len(image), 'boot': 'ota_1',
                      'version': '2.0.0', 'restarting': True}
    assert flash.read('ota_1', 0, len(image)) == image
    assert flash.boot_label() == 'ota_1'
    reboot(board)
    board.wait_for('bootloader: booting ota_1 (pending)')
    board.wait_for('launcher: starting the app')
    time.sleep(0.3)
    assert flash.active() == ('ota_1', 'pending')
    assert 'not confirmed yet' in board.output
    assert '[sim] WDT started timeout=8000' in board.output  # a hang would reset: rollback
    status, state = api(board, '/api/firmware')  # the UI answers: the firmware works
    assert status == 200 and state['running'] == {
        'label': 'ota_1', 'size': 0x180000, 'project': 'micropython', 'version': '2.0.0'}
    board.wait_for('rollback: the update is confirmed')
    assert 'mark_app_valid_cancel_rollback: ota_1 confirmed' in board.output
    assert not os.path.exists(os.path.join(board.fs, 'ota.json'))
    assert flash.active() == ('ota_1', 'valid')
    board.stop()  # a power cycle now keeps the new firmware
    assert flash.boot() == 'ota_1'


def test_an_update_never_confirmed_is_rolled_back_at_the_next_reset(board, app_image,
                                                                     monkeypatch):
    flash = install(board, app_image, monkeypatch)
    start(board)
    assert upload(board, esp32flash.make_image('2.0.0', 100000))[0] == 200
    # The new firmware boots but cannot join Wi-Fi: setup portal, no app, no confirmation; the
    # deadline resets the board.
    board.world(networks=[HOME], up=False)
    assert board.wait_exit(10) == 77
    board.lines = []
    board.boot(ota_confirm_s=2, connect_timeout=1, retries=1)
    board.wait_for('bootloader: booting ota_1 (pending)')
    board.wait_for('rollback: the update was not confirmed within 2 s: resetting', timeout=20)
    assert board.wait_exit(10) == 77
    assert 'the update is confirmed' not in board.output
    board.world(networks=[HOME])
    board.lines = []
    board.boot()
    board.wait_for('bootloader: ota_1 was never confirmed: rollback')
    board.wait_for('bootloader: booting ota_0')
    board.wait_for('rollback: the update in ota_1 was rolled back; running ota_0')
    board.wait_for('launcher: starting the app')
    time.sleep(0.3)
    state = api(board, '/api/firmware')[1]
    assert state['running']['label'] == 'ota_0' and state['running']['version'] == '1.0.0'
    assert state['update'] == {'label': 'ota_1', 'from': 'ota_0', 'version': '2.0.0',
                               'rolled_back': True}
    assert flash.boot_label() == 'ota_0'


def test_an_image_that_crashes_at_boot_is_rolled_back(board, app_image, monkeypatch):
    flash = install(board, app_image, monkeypatch)
    start(board)
    assert upload(board, esp32flash.make_image('2.0.0 sim:crash', 100000))[0] == 200
    reboot(board)
    board.wait_for('crashed at boot: reset')
    assert board.wait_exit(10) == 77
    board.lines = []
    board.boot()
    board.wait_for('bootloader: ota_1 was never confirmed: rollback')
    board.wait_for('launcher: starting the app')
    assert flash.running() == 'ota_0'


def refused(board, flash, image, status, words, **kw):
    before = (flash.otadata(), flash.read('ota_0', 0, 4096), flash.boot_label())
    got, answer = upload(board, image, **kw)
    assert got == status, answer
    assert words in answer['error']
    assert (flash.otadata(), flash.read('ota_0', 0, 4096), flash.boot_label()) == before
    assert flash.read('ota_1', 0, 4096) == b'\xff' * 4096  # nothing that looks like an image
    assert http(board, '/api/status')[0] == 200  # still serving, not restarting
    assert 'machine.reset' not in board.output


def test_bad_images_are_refused_and_the_firmware_is_untouched(board, app_image, monkeypatch):
    flash = install(board, app_image, monkeypatch)
    start(board)
    good = esp32flash.make_image('2.0.0', 150000)
    refused(board, flash, b'\x00' + good[1:], 422, 'not an ESP32 firmware image')
    refused(board, flash, good, 422, 'SHA-256 mismatch', sha256='ab' * 32)
    refused(board, flash, good, 413, 'larger than the update slot', size=0x180000 + 1)
    refused(board, flash, esp32flash.make_image('2.0.0', 100000, chip=9), 422, 'another chip')
    # The whole-flash firmware.bin starts with the bootloader, also 0xE9, but no app description.
    bootloader = bytearray(good)
    bootloader[32:36] = b'\0\0\0\0'
    refused(board, flash, bytes(bootloader), 422, 'upload micropython.bin')
    # A checksum broken inside the image: the header passes, set_boot's verification does not.
    broken = bytearray(good)
    broken[5000] ^= 0xFF
    refused(board, flash, bytes(broken), 422, 'the bootloader refuses the image')
    refused(board, flash, good, 400, 'sha256 must be 64 hex digits', sha256='xyz')


def test_pieces_out_of_order_are_refused(board, app_image, monkeypatch):
    install(board, app_image, monkeypatch)
    start(board)
    image = esp32flash.make_image('2.0.0', 200000)
    sha = hashlib.sha256(image).hexdigest()
    q = 'size=%d&sha256=%s&offset=' % (len(image), sha)
    assert api(board, '/api/firmware?' + q + '0', image[:PIECE])[0] == 202
    status, answer = api(board, '/api/firmware?' + q + '131072', image[2 * PIECE:3 * PIECE])
    assert status == 409 and 'offset 65536' in answer['error']
    status, answer = api(board, '/api/firmware?' + q + '65536', image[PIECE:PIECE + 1000])
    assert status == 400 and 'multiple of 4096' in answer['error']


def test_a_board_without_ota_slots_says_to_update_over_usb(board, app_image, monkeypatch):
    flash = install(board, app_image, monkeypatch, table='factory')
    start(board)
    state = api(board, '/api/firmware')[1]
    assert state['ota'] is False and 'make flash' in state['message']
    status, answer = api(board, '/api/firmware?size=1000&offset=0&sha256=' + 'a' * 64, b'x' * 1000)
    assert status == 404 and 'no second firmware slot' in answer['error']
    assert flash.running() == 'factory'


def test_a_board_without_the_esp32_module_says_to_update_over_usb(board, app_image,
                                                                   monkeypatch):
    install(board, app_image, monkeypatch)
    monkeypatch.delenv('MICRODOT_FLASH')  # a Pico W or an ESP8266
    start(board)
    state = api(board, '/api/firmware')[1]
    assert state['ota'] is False and 'over USB' in state['message']
    assert 'rollback' not in board.output and 'bootloader' not in board.output


def test_only_the_owner_may_update_or_see_the_firmware(board, app_image, monkeypatch):
    flash = install(board, app_image, monkeypatch)
    start(board)
    image = esp32flash.make_image('2.0.0', 50000)
    q = 'size=%d&sha256=%s&offset=0' % (len(image), hashlib.sha256(image).hexdigest())
    assert http(board, '/api/firmware?' + q, image, auth=False)[0] == 401
    assert http(board, '/api/firmware', auth=False)[0] == 401
    assert flash.read('ota_1', 0, 4096) == b'\xff' * 4096 and flash.boot_label() == 'ota_0'
    # ... and a page of another site cannot make the owner's browser do it (ui.auth: 403)
    req = urllib.request.Request('http://127.0.0.1:%d/api/firmware?%s' % (board.port, q), image,
                                 headers={'Authorization': BASIC, 'Origin': 'http://evil.example'})
    try:
        urllib.request.urlopen(req, timeout=10)
        status = 200
    except urllib.error.HTTPError as e:
        status = e.code
    assert status == 403 and flash.boot_label() == 'ota_0'


def test_an_update_fits_an_esp32_heap_with_the_framework_in_rom(board, tmp_path, monkeypatch):
    """The app as .mpy in the board's filesystem, frozen/ and the simulation in a ROMFS image
    (in place, like frozen code), an ESP32's 110wK heap beside it: a 300 kB image goes up in
    pieces, boots and is confirmed. (The simulated flash's own work is in this heap too.)"""
    sys.path.insert(0, os.path.join(ROOT, 'scripts'))
    import build_assets
    out = str(tmp_path / 'app')
    build_assets.main(['--quiet', '--out', out, '--mpy', str(tmp_path / 'app-mpy')])
    board.fs = str(tmp_path / 'fs')
    os.makedirs(board.fs)
    flash = install(board, str(tmp_path / 'app-mpy'), monkeypatch)
    assert os.path.exists(os.path.join(board.fs, 'main.mpy'))
    board.boot(heapsize='110wK', rom=True)
    board.wait_for('launcher: starting the app')
    time.sleep(0.3)
    image = esp32flash.make_image('2.0.0', 300000)
    status, answer = upload(board, image)
    assert status == 200, (answer, board.output)
    assert board.wait_exit(10) == 77
    board.lines = []
    board.boot(heapsize='110wK', rom=True)
    board.wait_for('bootloader: booting ota_1 (pending)')
    board.wait_for('launcher: starting the app')
    time.sleep(0.3)
    assert api(board, '/api/firmware')[1]['running']['version'] == '2.0.0'
    board.wait_for('rollback: the update is confirmed')
    assert 'MemoryError' not in board.output and flash.running() == 'ota_1'
