"""The simulated ESP32's `esp32.Partition` (host only, never frozen): what ``import esp32``
gives on a board whose flash is simulated (scripts/sim/esp32.py imports it from here).

It works over the simulated flash of scripts/sim/esp32flash.py.

Importing it is the board's boot: the simulated bootloader runs once per process (a process is one
boot of the board, ``machine.reset()`` ends it), selects the partition to run with ESP-IDF's
rollback rules and records it as ``Partition.RUNNING``. The firmware that runs is always this
repository's (the host cannot execute an image); an image whose version contains ``sim:crash``
stands for a firmware that crashes at boot: the board resets at once.

The API is that of ``esp32.Partition`` in MicroPython (docs/library/esp32.rst; the C code in
ports/esp32/esp32_partition.c): the same constructor, ``find``, ``info``, block reads and
writes with the same erase rules (a 3-argument ``writeblocks`` erases the blocks first; the
4-argument one does not, so its blocks must have been erased with ``ioctl(6, block)``),
``set_boot`` (verifies the image first, as ``esp_ota_set_boot_partition`` does),
``get_next_update`` and ``mark_app_valid_cancel_rollback``. Errors are OSError(-esp_err, name)
as ``check_esp_err`` raises them; a missing partition is OSError(ENOENT).
"""
import os

import esp32flash as _flash

_path = os.getenv('MICRODOT_FLASH')

_board = _flash.Flash(_path)
_booted = _board.boot()
if _booted is None:
    _flash.log('bootloader: no bootable image')
else:
    _desc = _board.app_desc(_booted)
    if _desc and 'sim:crash' in _desc[1]:
        import sys
        _flash.log('firmware %s (%s) crashed at boot: reset' % (_booted, _desc[1]))
        sys.exit(77)  # what scripts/sim/machine.py's reset() does

HEAP_DATA = 4
HEAP_EXEC = 1
_NATIVE = _flash.SECTOR


class Partition:
    BOOT = 0
    RUNNING = 1
    TYPE_APP = _flash.TYPE_APP
    TYPE_DATA = _flash.TYPE_DATA

    def __init__(self, id, block_size=_NATIVE):
        if isinstance(id, int):
            if id == Partition.BOOT:
                label = _board.boot_label()
            elif id == Partition.RUNNING:
                label = _board.running()
            else:
                raise ValueError()
            row = _board.get(label) if label else None
        else:
            rows = _board.find(_flash.TYPE_APP, _flash.ANY, id) or \
                _board.find(_flash.TYPE_DATA, _flash.ANY, id)
            row = rows[0] if rows else None
        if row is None:
            raise OSError(2)  # ENOENT
        self._row = row
        self._bs = block_size

    @staticmethod
    def find(type=_flash.TYPE_APP, subtype=_flash.ANY, label=None, block_size=_NATIVE):
        return [Partition(row[0], block_size) for row in _board.find(type, subtype, label)]

    def __repr__(self):
        r = self._row
        return '<Partition type=%u, subtype=%u, address=%u, size=%u, label=%s, encrypted=0>' % (
            r[1], r[2], r[3], r[4], r[0])

    def info(self):
        r = self._row
        return (r[1], r[2], r[3], r[4], r[0], False)

    def readblocks(self, block_num, buf, offset=0):
        data = _board.read(self._row[0], block_num * self._bs + offset, len(buf))
        buf[:] = data

    def writeblocks(self, block_num, buf, offset=None):
        start = block_num * self._bs
        label = self._row[0]
        if offset is None:  # a simple write erases first
            if self._bs >= _NATIVE:
                _board.erase(label, start, len(buf))
            else:  # sub-sector blocks: read, erase and restore the rest of each sector
                lo = start // _NATIVE * _NATIVE
                hi = (start + len(buf) + _NATIVE - 1) // _NATIVE * _NATIVE
                keep = bytearray(_board.read(label, lo, hi - lo))
                keep[start - lo:start - lo + len(buf)] = buf
                _board.erase(label, lo, hi - lo)
                _board.write(label, lo, keep)
                return None
        else:
            start += offset
        _board.write(label, start, buf)

    def ioctl(self, cmd, arg):
        if cmd in (1, 2, 3):  # init, deinit, sync
            return 0
        if cmd == 4:  # block count
            return self._row[4] // self._bs
        if cmd == 5:  # block size
            return self._bs
        if cmd == 6:  # erase one block
            if self._bs != _NATIVE:
                return -22  # -EINVAL
            _board.erase(self._row[0], arg * _NATIVE, _NATIVE)
            return 0
        return None

    def set_boot(self):
        _board.set_boot(self._row[0])

    def get_next_update(self):
        """The OTA app partition after this one (wrapping; ota_0 after a factory app)."""
        apps = _board.apps()
        labels = [p[0] for p in apps]
        if not apps:
            raise OSError(2)  # ENOENT: no OTA partitions
        if self._row[0] in labels:
            i = (labels.index(self._row[0]) + 1) % len(labels)
            if labels[i] == self._row[0]:
                raise OSError(2)
        else:
            i = 0
        return Partition(labels[i])

    @classmethod
    def mark_app_valid_cancel_rollback(cls):
        _board.mark_valid()


def idf_heap_info(capabilities):
    return []
