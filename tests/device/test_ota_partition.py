# device.ota and device.rollback against the simulated esp32.Partition (scripts/sim/esp32.py),
# whose flash is a folder of files: one boot per process, firmware 1.0.0 running in ota_0.
import os
import sys

from check import raises

# MicroPython runs this in tests/device (its __file__ may be relative or a compiled copy's).
_here = __file__ if '/tests/device/' in __file__ else os.getcwd() + '/test_ota_partition.py'
HERE = _here.rsplit('/', 1)[0]
sys.path.append(HERE.rsplit('/tests/device', 1)[0] + '/scripts/sim')
# Each runtime its own flash: CPython imports this module before the MicroPython runs start.
TAG = sys.implementation.name + ('' if __file__.endswith('.py') else '-mpy')
FLASH = HERE + '/flash_under_test_' + TAG

import esp32flash  # noqa: E402

IMAGE = esp32flash.make_image('2.0.0', 30000)  # before the flash: one block of a fresh heap
esp32flash.create(FLASH)
if hasattr(os, 'environ'):
    os.environ['MICRODOT_FLASH'] = FLASH
else:
    os.putenv('MICRODOT_FLASH', FLASH)
from esp32 import Partition  # noqa: E402  (boots the simulated board)
if hasattr(os, 'environ'):  # CPython runs all tests in one process: leave no ESP32 behind
    del os.environ['MICRODOT_FLASH']
from microdot import AsyncBytesIO  # noqa: E402

from device import ota, rollback  # noqa: E402

rollback.FILE = HERE + '/ota_under_test_%s.json' % TAG


def sha(data):
    import binascii
    import hashlib
    return binascii.hexlify(hashlib.sha256(data).digest()).decode()


def running_head():
    head = bytearray(ota.HEAD)
    Partition(Partition.RUNNING).readblocks(0, head)
    return head


def test_slots_are_the_running_partition_and_the_next_one():
    running, nxt = ota.slots()
    assert running.info()[4] == 'ota_0' and nxt.info()[4] == 'ota_1'
    assert ota.describe(running) == {'label': 'ota_0', 'size': 0x180000,
                                     'project': 'micropython', 'version': '1.0.0'}
    assert ota.describe(nxt)['version'] is None


def test_a_version_that_is_not_text_is_shown_as_none():
    head = bytearray(IMAGE[:ota.HEAD])
    head[48:52] = b'\xff\xfe\xc3\x28'

    class Slot:
        def info(self):
            return (0, 17, 0, 4096, 'ota_1', False)

        def readblocks(self, n, buf, offset=0):
            buf[:] = head[:len(buf)]
    assert ota.describe(Slot())['version'] is None


def test_the_header_of_an_app_image_for_this_chip_passes():
    assert ota.check_header(IMAGE[:ota.HEAD], running_head()) is None


def test_a_header_without_the_magic_byte_is_refused():
    assert 'first byte is not 0xE9' in ota.check_header(b'\x00' + IMAGE[1:ota.HEAD],
                                                        running_head())


def test_an_image_for_another_chip_is_refused():
    other = esp32flash.make_image('2.0.0', 2000, chip=9)  # an ESP32-S3 image
    assert 'chip id 9, this board is 0' in ota.check_header(other[:ota.HEAD], running_head())


def test_an_image_without_application_description_is_refused():
    head = bytearray(IMAGE[:ota.HEAD])
    head[32] = 0
    assert 'micropython.bin' in ota.check_header(head, running_head())


def test_an_image_larger_than_the_slot_is_refused_before_anything_is_written():
    with raises(ota.Refused) as exc:
        ota.begin(0x180000 + 1, sha(IMAGE))
    assert exc.value.status == 413 and ota.current() is None


def test_a_malformed_sha256_is_refused():
    with raises(ota.Refused) as exc:
        ota.begin(len(IMAGE), 'not-hex' * 9)
    assert exc.value.status == 400


async def test_an_image_in_pieces_lands_in_the_next_slot_and_is_set_to_boot():
    up = ota.begin(len(IMAGE), sha(IMAGE))
    await up.feed(AsyncBytesIO(IMAGE[:16384]), 16384)
    assert up.done == 16384
    await up.feed(AsyncBytesIO(IMAGE[16384:]), len(IMAGE) - 16384)
    assert up.finish() == 'ota_1'
    ota.cancel(erase=False)
    nxt = Partition('ota_1')
    back = bytearray(4096)
    for block in range(0, len(IMAGE), 4096):  # read back a block at a time (a small heap)
        piece = IMAGE[block:block + 4096]
        nxt.readblocks(block // 4096, back)
        assert back[:len(piece)] == piece
    tail = bytearray(16)
    nxt.readblocks(0, tail, len(IMAGE))  # the rest of the last block stays erased
    assert tail == b'\xff' * 16
    assert Partition(Partition.BOOT).info()[4] == 'ota_1'
    assert ota.current() is None


async def test_a_second_image_over_the_first_is_erased_before_it_is_written():
    # The simulated flash ANDs what is written over unerased bytes, as NOR flash does: the slot
    # reads back as the second image only if every block was erased first.
    other = esp32flash.make_image('3.0.0', 12000)
    up = ota.begin(len(other), sha(other))
    await up.feed(AsyncBytesIO(other), len(other))
    up.finish()
    ota.cancel(erase=False)
    back = bytearray(4096)
    for block in range(0, len(other), 4096):
        piece = other[block:block + 4096]
        Partition('ota_1').readblocks(block // 4096, back)
        assert back[:len(piece)] == piece


async def test_a_piece_that_is_not_whole_blocks_is_refused():
    up = ota.begin(len(IMAGE), sha(IMAGE))
    with raises(ota.Refused) as exc:
        await up.feed(AsyncBytesIO(IMAGE[:5000]), 5000)
    assert exc.value.status == 400 and up.done == 0
    ota.cancel()


async def test_a_wrong_sha256_is_refused_and_the_written_slot_erased():
    up = ota.begin(len(IMAGE), 'ab' * 32)
    await up.feed(AsyncBytesIO(IMAGE), len(IMAGE))
    with raises(ota.Refused) as exc:
        up.finish()
    assert exc.value.status == 422 and 'SHA-256 mismatch' in exc.value.message
    ota.cancel()
    first = bytearray(4096)
    Partition('ota_1').readblocks(0, first)
    assert first == b'\xff' * 4096


async def test_a_body_that_ends_early_is_refused():
    up = ota.begin(len(IMAGE), sha(IMAGE))
    with raises(ota.Refused) as exc:
        await up.feed(AsyncBytesIO(IMAGE[:8000]), 8192)
    assert 'ended early' in exc.value.message
    ota.cancel()


async def test_a_second_piece_while_one_is_being_written_is_refused():
    import asyncio

    class Slow(AsyncBytesIO):
        async def read(self, n=-1):
            await asyncio.sleep(0.01)
            return await AsyncBytesIO.read(self, n)

    up = ota.begin(len(IMAGE), sha(IMAGE))
    first = asyncio.create_task(up.feed(Slow(IMAGE[:8192]), 8192))
    await asyncio.sleep(0.02)
    with raises(ota.Refused) as exc:
        await up.feed(AsyncBytesIO(IMAGE[:8192]), 8192)
    assert exc.value.status == 409
    await first
    assert up.done == 8192 and not up.busy
    ota.cancel()


def test_a_note_for_another_slot_than_the_running_one_means_rolled_back():
    rollback.expect('ota_1', '2.0.0')
    assert rollback.note() == {'label': 'ota_1', 'from': 'ota_0', 'version': '2.0.0'}
    assert rollback.check() == 'rolled back'
    assert rollback.note()['rolled_back'] is True
    assert rollback.check() is None and not rollback.pending()


def test_a_note_for_the_running_slot_means_pending_until_confirmed():
    rollback.expect('ota_0')
    assert rollback.check() == 'pending' and rollback.pending()
    rollback.confirm()
    assert not rollback.pending() and rollback.note() is None


def test_cleanup():
    import os
    for name in os.listdir(FLASH):
        os.remove(FLASH + '/' + name)
    os.rmdir(FLASH)
