"""The simulated ESP32 flash and `esp32.Partition` (scripts/sim/) follow the real ones: the image
format (checked by esptool itself), the block-device erase rules of esp32_partition.c, and
ESP-IDF's boot selection with app rollback. The `esp32` module runs on the unix port as the
device code sees it; the bootloader is driven from CPython (each `boot()` is one reset)."""
import os
import subprocess
import sys

import pytest

HOST_TESTS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HOST_TESTS))
SIM = os.path.join(ROOT, 'scripts', 'sim')
sys.path.insert(0, SIM)
import esp32flash  # noqa: E402

BIN = os.path.dirname(sys.executable)


@pytest.fixture
def flash(tmp_path):
    return esp32flash.create(str(tmp_path / 'flash'))


def put(flash, label, image):
    flash.erase(label, 0, (len(image) + 4095) // 4096 * 4096)
    flash.write(label, 0, image)


def on_board(flash, code):
    """Run `code` on the unix port as a board with this flash; its output."""
    env = dict(os.environ, MICROPYPATH=SIM, MICRODOT_FLASH=flash.path)
    r = subprocess.run([os.path.join(BIN, 'micropython'), '-c', code], env=env,
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def test_images_are_in_the_real_format_esptool_accepts(tmp_path):
    path = tmp_path / 'micropython.bin'
    path.write_bytes(esp32flash.make_image('2.1.0', 120000))
    out = subprocess.run([os.path.join(BIN, 'esptool'), 'image-info', str(path)],
                         capture_output=True, text=True, check=True).stdout
    assert 'Checksum: ' in out and '(valid)' in out.split('Checksum: ')[1].split('\n')[0]
    assert 'Validation hash: ' in out and '(valid)' in out.split('Validation hash: ')[1]
    assert 'App version: 2.1.0' in out and 'Chip ID: 0 (ESP32)' in out


def test_partitions_as_the_real_api_shows_them(flash):
    out = on_board(flash, '''
from esp32 import Partition
r = Partition(Partition.RUNNING)
print(r.info())
print(r.get_next_update().info()[4], r.get_next_update().get_next_update().info()[4])
print([p.info()[4] for p in Partition.find(Partition.TYPE_APP)])
print([p.info()[4] for p in Partition.find(Partition.TYPE_DATA, label='otadata')])
print(r.ioctl(4, 0), r.ioctl(5, 0), Partition('ota_1', 512).ioctl(4, 0))
try:
    Partition('nothing')
except OSError as e:
    print('ENOENT', e.errno)
''')
    assert out.split('\n')[1:7] == [
        "(0, 16, 65536, 1572864, 'ota_0', False)", 'ota_1 ota_0', "['ota_0', 'ota_1']",
        "['otadata']", '384 4096 3072', 'ENOENT 2']
    assert out.startswith('[sim] bootloader: booting ota_0')


def test_block_writes_follow_the_erase_rules(flash):
    out = on_board(flash, '''
from esp32 import Partition
p = Partition('ota_1')
p.writeblocks(3, b'\\x0f' * 4096)         # the 3-argument form erases first
p.writeblocks(3, b'\\xf1' * 16, 0)        # the 4-argument form does not: bits only clear
b = bytearray(16); p.readblocks(3, b); print(b[0])
p.writeblocks(3, b'\\xf1' * 4096)         # erase + write
b = bytearray(4); p.readblocks(3, b, 4092); print(b[0])
print(p.ioctl(6, 3)); p.readblocks(3, b); print(b[0])
try:
    p.writeblocks(3, b'x' * 100)            # an erase must cover whole 4 KiB sectors
except OSError as e:
    print(e.errno, e.args[1])
print(Partition('ota_1', 512).ioctl(6, 0))  # BLOCK_ERASE needs 4 KiB blocks: -EINVAL
q = Partition('ota_1', 512)
q.writeblocks(9, b'\\x22' * 512)            # sub-sector blocks: the rest of the sector kept
b = bytearray(1); q.readblocks(8, b); print(b[0]); q.readblocks(9, b); print(b[0])
''')
    assert out.split('\n')[1:10] == ['1', '241', '0', '255', '-258 ESP_ERR_INVALID_ARG', '-22',
                                     '255', '34', '']


def test_set_boot_verifies_the_image_first(flash):
    image = bytearray(esp32flash.make_image('2.0.0', 30000))
    image[20000] ^= 1  # one bit flipped inside a segment
    put(flash, 'ota_1', bytes(image))
    out = on_board(flash, '''
from esp32 import Partition
try:
    Partition('ota_1').set_boot()
except OSError as e:
    print(e.errno, e.args[1])
print(Partition(Partition.BOOT).info()[4])
''')
    assert '-5379 ESP_ERR_OTA_VALIDATE_FAILED' in out and out.endswith('ota_0\n')
    assert 'checksum mismatch' in out


def test_an_update_confirmed_stays(flash):
    put(flash, 'ota_1', esp32flash.make_image('2.0.0', 30000))
    flash.set_boot('ota_1')
    assert flash.boot_label() == 'ota_1' and flash.otadata()[0] == [2, 'new']
    assert flash.boot() == 'ota_1' and flash.otadata()[0] == [2, 'pending']
    flash.mark_valid()
    assert flash.otadata()[0] == [2, 'valid']
    assert flash.boot() == 'ota_1' and flash.boot() == 'ota_1'


def test_an_update_not_confirmed_before_the_next_reset_is_rolled_back(flash):
    put(flash, 'ota_1', esp32flash.make_image('2.0.0', 30000))
    flash.set_boot('ota_1')
    assert flash.boot() == 'ota_1'
    assert flash.boot() == 'ota_0'  # still pending at this reset: rollback
    entries = flash.otadata()
    assert [2, 'aborted'] in entries and [3, 'valid'] in entries  # the slot actually booted
    assert flash.boot() == 'ota_0' and flash.boot_label() == 'ota_0'


def test_a_selected_image_that_became_invalid_is_skipped(flash):
    put(flash, 'ota_1', esp32flash.make_image('2.0.0', 30000))
    flash.set_boot('ota_1')
    flash.erase('ota_1', 0, 4096)  # e.g. power lost while the slot was rewritten
    assert flash.boot() == 'ota_0'


def test_mark_app_valid_without_otadata_raises_as_the_docs_say(tmp_path):
    flash = esp32flash.create(str(tmp_path / 'flash'), 'factory')
    out = on_board(flash, '''
from esp32 import Partition
r = Partition(Partition.RUNNING)
print(r.info()[4])
try:
    r.get_next_update()
except OSError as e:
    print('next', e.errno)
try:
    Partition.mark_app_valid_cancel_rollback()
except OSError as e:
    print('mark', e.errno)
''')
    assert out.split('\n')[1:4] == ['factory', 'next 2', 'mark -261']


def test_a_board_without_a_flash_has_no_esp32_module():
    env = dict(os.environ, MICROPYPATH=SIM)
    env.pop('MICRODOT_FLASH', None)
    r = subprocess.run([os.path.join(BIN, 'micropython'), '-c', '''
try:
    import esp32
except ImportError:
    print('no esp32')
import sys
print('esp32flash' in sys.modules)
'''], env=env, capture_output=True, text=True, timeout=30)
    assert r.stdout == 'no esp32\nFalse\n'
