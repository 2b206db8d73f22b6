"""The simulated SPI flash of an ESP32 and its second-stage bootloader (host only, never frozen).

Runs on CPython and on the MicroPython unix port. ``scripts/sim/esp32.py`` (the simulated
``esp32`` module) reads and writes partitions through it; host tests and ``make run`` use it to
give a simulated board a flash and to build firmware images.

The flash is a folder (``$MICRODOT_FLASH``)::

    table.json     {"chip": 0, "partitions": [[label, type, subtype, offset, size], ...]}
    <label>.bin    the bytes of each partition (bytes past the end of the file read as 0xFF,
                   erased flash)
    otadata.json   the two otadata entries, [[seq, state], [seq, state]] (on a real board two
                   binary records in the ``otadata`` partition)
    running        the label of the partition the bootloader started, written at each boot

Flash semantics follow NOR flash: erasing sets a 4 KiB sector to 0xFF and writing can only clear
bits, so data written over unerased bytes comes out ANDed, as on the chip.

The bootloader follows ESP-IDF's app rollback (``CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE``, which
MicroPython's esp32 builds enable): ``set_boot()`` writes a new otadata entry in state ``new``;
the next boot moves it to ``pending`` and starts it; a boot that finds it still ``pending`` (the
firmware never called ``mark_app_valid_cancel_rollback()``) marks it ``aborted`` and starts the
previous image instead. An image that fails verification (header, chip, segments, checksum,
appended SHA-256) is never started, as ``esp_image_verify`` refuses it.

Images have the real layout of an ESP32 app image (esptool's ``elf2image`` output), so
``esptool image-info`` accepts what ``make_image`` builds: a 24-byte header (magic 0xE9), the
segments, the XOR checksum and the appended SHA-256; the first segment starts with the
``esp_app_desc_t`` record (magic 0xABCD5432, version, project name).
"""
import hashlib
import json
import os
import struct

SECTOR = 4096
PIECE = 512
TYPE_APP = 0
TYPE_DATA = 1
FACTORY = 0x00
OTA_0 = 0x10
OTADATA = 0x00  # data subtype ota
PHY = 0x01
NVS = 0x02
FAT = 0x81
ANY = 0xFF

MAGIC = 0xE9
APP_DESC_MAGIC = 0xABCD5432
CHECKSUM_SEED = 0xEF
MAX_SEGMENTS = 16
CHIP_ESP32 = 0

# MicroPython's partitions-4MiB-ota.csv (the ESP32_GENERIC OTA variant) and partitions-4MiB.csv.
OTA_TABLE = [['nvs', TYPE_DATA, NVS, 0x9000, 0x4000],
             ['otadata', TYPE_DATA, OTADATA, 0xD000, 0x2000],
             ['phy_init', TYPE_DATA, PHY, 0xF000, 0x1000],
             ['ota_0', TYPE_APP, OTA_0, 0x10000, 0x180000],
             ['ota_1', TYPE_APP, OTA_0 + 1, 0x190000, 0x180000],
             ['vfs', TYPE_DATA, FAT, 0x310000, 0xF0000]]
FACTORY_TABLE = [['nvs', TYPE_DATA, NVS, 0x9000, 0x6000],
                 ['phy_init', TYPE_DATA, PHY, 0xF000, 0x1000],
                 ['factory', TYPE_APP, FACTORY, 0x10000, 0x1F0000],
                 ['vfs', TYPE_DATA, FAT, 0x200000, 0x200000]]

UNSET = 0xFFFFFFFF
STATES = ('new', 'pending', 'valid', 'invalid', 'aborted', 'undefined')


def log(*args):
    print('[sim]', *args)


def EspError(code, name):
    """What ``check_esp_err`` raises on the board for an ESP-IDF error: OSError(-code, name)."""
    return OSError(-code, name)


def invalid_arg():
    return EspError(0x102, 'ESP_ERR_INVALID_ARG')


def _hex(data):
    import binascii
    return binascii.hexlify(data).decode()


class Flash:
    """One simulated flash folder."""

    def __init__(self, path):
        self.path = path
        with open(self._file('table.json')) as f:
            t = json.load(f)
        self.chip = t.get('chip', CHIP_ESP32)
        self.table = t['partitions']

    def _file(self, name):
        return self.path + '/' + name

    # --- partitions ------------------------------------------------------------------------------

    def find(self, type=ANY, subtype=ANY, label=None):
        """The table rows matching, in table order."""
        return [p for p in self.table if (type == ANY or p[1] == type)
                and (subtype == ANY or p[2] == subtype) and (label is None or p[0] == label)]

    def get(self, label):
        rows = self.find(label=label)
        return rows[0] if rows else None

    def apps(self):
        """The OTA app partitions, ordered by subtype (ota_0, ota_1, ...)."""
        rows = [p for p in self.table if p[1] == TYPE_APP and OTA_0 <= p[2] < OTA_0 + 16]
        rows.sort(key=lambda p: p[2])
        return rows

    def factory(self):
        rows = self.find(TYPE_APP, FACTORY)
        return rows[0] if rows else None

    def read(self, label, offset, n):
        size = self.get(label)[4]
        if offset < 0 or n < 0 or offset + n > size:
            raise invalid_arg()
        try:
            with open(self._file(label + '.bin'), 'rb') as f:
                f.seek(offset)
                data = f.read(n)
        except OSError:
            data = b''
        return data + b'\xff' * (n - len(data))

    def _store(self, label, offset, data):
        path = self._file(label + '.bin')
        try:
            f = open(path, 'r+b')
        except OSError:
            f = open(path, 'wb')
        with f:
            f.seek(0, 2)
            end = f.tell()
            while end < offset:  # the erased bytes up to here
                n = min(PIECE, offset - end)
                f.write(b'\xff' * n)
                end += n
            f.seek(offset)
            f.write(data)

    # The simulation works in pieces of PIECE bytes: it runs in the simulated board's heap,
    # which a real flash driver does not use.

    def write(self, label, offset, data):
        """Program bytes: bits can only go from 1 to 0 (unerased bytes come out ANDed)."""
        data = memoryview(data)
        for i in range(0, len(data), PIECE):
            piece = data[i:i + PIECE]
            old = self.read(label, offset + i, len(piece))
            if old.count(b'\xff') != len(old):
                piece = bytes([a & b for a, b in zip(old, piece)])
            self._store(label, offset + i, piece)

    def erase(self, label, offset, n):
        """Erase whole sectors: offset and length must be multiples of 4096."""
        size = self.get(label)[4]
        if offset % SECTOR or n % SECTOR or offset < 0 or offset + n > size:
            raise invalid_arg()
        erased = b'\xff' * PIECE
        for o in range(offset, offset + n, PIECE):
            self._store(label, o, erased)

    # --- otadata and boot selection ----------------------------------------------------------

    def otadata(self):
        """The two entries [[seq, state], [seq, state]] (seq UNSET when erased)."""
        try:
            with open(self._file('otadata.json')) as f:
                return json.load(f)
        except (OSError, ValueError):
            return [[UNSET, 'undefined'], [UNSET, 'undefined']]

    def set_otadata(self, entries):
        tmp = self._file('otadata.json.tmp')
        with open(tmp, 'w') as f:
            json.dump(entries, f)
        os.rename(tmp, self._file('otadata.json'))

    def _candidates(self):
        """Valid otadata entries, newest first: [(seq, index)]."""
        entries = self.otadata()
        out = [(e[0], i) for i, e in enumerate(entries) if e[0] != UNSET
               and e[1] not in ('invalid', 'aborted')]
        out.sort(reverse=True)
        return out

    def label_of_seq(self, seq):
        apps = self.apps()
        return apps[(seq - 1) % len(apps)][0] if apps else None

    def boot_label(self):
        """The partition the next boot selects (``Partition.BOOT``)."""
        if self.find(TYPE_DATA, OTADATA) and self.apps():
            c = self._candidates()
            if c:
                return self.label_of_seq(c[0][0])
        f = self.factory()
        if f:
            return f[0]
        apps = self.apps()
        return apps[0][0] if apps else None

    def running(self):
        try:
            with open(self._file('running')) as f:
                return f.read().strip() or None
        except OSError:
            return None

    def set_boot(self, label):
        """``esp_ota_set_boot_partition``: verify the image, then select it for the next boot."""
        row = self.get(label)
        if row is None or row[1] != TYPE_APP:
            raise invalid_arg()
        problem = self.verify(label)
        if problem:
            log('set_boot(%s) refused: %s' % (label, problem))
            raise EspError(0x1503, 'ESP_ERR_OTA_VALIDATE_FAILED')
        if not self.find(TYPE_DATA, OTADATA):
            raise EspError(0x105, 'ESP_ERR_NOT_FOUND')
        if row[2] == FACTORY:
            self.set_otadata([[UNSET, 'undefined'], [UNSET, 'undefined']])
            log('set_boot: factory')
            return
        apps = self.apps()
        index = [p[0] for p in apps].index(label)
        entries = self.otadata()
        top = max([e[0] for e in entries if e[0] != UNSET] or [0])
        seq = top + 1
        while (seq - 1) % len(apps) != index:
            seq += 1
        slot = 0 if entries[0][0] == UNSET or (entries[1][0] != UNSET
                                                and entries[0][0] < entries[1][0]) else 1
        entries[slot] = [seq, 'new']
        self.set_otadata(entries)
        log('set_boot: %s (otadata seq %d, state new)' % (label, seq))

    def _active(self, entries):
        """Index of the entry with the highest sequence number (any state), or -1."""
        best = -1
        for i, e in enumerate(entries):
            if e[0] != UNSET and (best < 0 or e[0] > entries[best][0]):
                best = i
        return best

    def active(self):
        """(label, state) of the otadata entry with the highest sequence number, or None."""
        entries = self.otadata()
        i = self._active(entries)
        return None if i < 0 else (self.label_of_seq(entries[i][0]), entries[i][1])

    def mark_valid(self):
        """``esp_ota_mark_app_valid_cancel_rollback``: the active otadata entry becomes valid."""
        if not self.find(TYPE_DATA, OTADATA):
            raise EspError(0x105, 'ESP_ERR_NOT_FOUND')
        entries = self.otadata()
        i = self._active(entries)
        if i < 0 or not self.apps():
            raise EspError(-1, 'ESP_FAIL')  # IDF: "running firmware is factory"
        if entries[i][1] != 'valid':
            if entries[i][1] == 'pending':
                log('mark_app_valid_cancel_rollback: %s confirmed'
                    % self.label_of_seq(entries[i][0]))
            entries[i][1] = 'valid'
            self.set_otadata(entries)

    def _select(self, entries, label):
        """After a fallback: a new entry for the slot actually booted, as the IDF bootloader
        writes one (state valid)."""
        i = self._active(entries)
        seq = entries[i][0] + 1
        while self.label_of_seq(seq) != label:
            seq += 1
        entries[1 - i] = [seq, 'valid']

    def boot(self):
        """Run the bootloader: pick the image to start (rolling back an unconfirmed one), record
        it as running and return its label (None: nothing bootable)."""
        entries = self.otadata()
        chosen = None
        if self.find(TYPE_DATA, OTADATA) and self.apps():
            for seq, i in self._candidates():
                label = self.label_of_seq(seq)
                state = entries[i][1]
                if state == 'pending':
                    log('bootloader: %s was never confirmed: rollback' % label)
                    entries[i][1] = 'aborted'
                    continue
                problem = self.verify(label)
                if problem:
                    log('bootloader: %s is not a valid image (%s)' % (label, problem))
                    continue
                if state == 'new':
                    entries[i][1] = 'pending'
                chosen = label
                log('bootloader: booting %s (%s)' % (label, entries[i][1]))
                break
            self.set_otadata(entries)
        if chosen is None:
            rows = ([self.factory()] if self.factory() else []) + self.apps()
            for row in rows:
                if not self.verify(row[0]):
                    chosen = row[0]
                    log('bootloader: booting %s' % chosen)
                    break
        i = self._active(entries)
        if chosen and i >= 0 and self.label_of_seq(entries[i][0]) != chosen \
                and self.get(chosen)[2] != FACTORY:
            self._select(entries, chosen)
            self.set_otadata(entries)
        with open(self._file('running'), 'w') as f:
            f.write(chosen or '')
        return chosen

    # --- images --------------------------------------------------------------------------------

    def verify(self, label):
        """None if the partition holds a valid app image for this chip, else the problem."""
        row = self.get(label)
        head = self.read(label, 0, 24)
        if head[0] != MAGIC:
            return 'bad magic 0x%02x' % head[0]
        count = head[1]
        if not 0 < count <= MAX_SEGMENTS:
            return 'bad segment count %d' % count
        if struct.unpack('<H', head[12:14])[0] != self.chip:
            return 'image for another chip'
        pos, check = 24, CHECKSUM_SEED
        h = hashlib.sha256(head)
        for _ in range(count):
            seg = self.read(label, pos, 8)
            n = struct.unpack('<II', seg)[1]
            if pos + 8 + n > row[4]:
                return 'segment past the end of the partition'
            h.update(seg)
            pos += 8
            while n:
                data = self.read(label, pos, min(n, PIECE))
                for b in data:
                    check ^= b
                h.update(data)
                pos += len(data)
                n -= len(data)
        pad = 15 - pos % 16
        tail = self.read(label, pos, pad + 1)
        h.update(tail)
        if tail[-1] != check:
            return 'checksum mismatch'
        pos += pad + 1
        if head[23] == 1 and self.read(label, pos, 32) != h.digest():
            return 'SHA-256 mismatch'
        return None

    def app_desc(self, label):
        """(project name, version) from an image's esp_app_desc_t, or None."""
        d = self.read(label, 32, 80)
        if struct.unpack('<I', d[:4])[0] != APP_DESC_MAGIC:
            return None
        return _cstr(d[48:80]), _cstr(d[16:48])


def _cstr(b):
    b = bytes(b)
    i = b.find(b'\x00')
    return (b if i < 0 else b[:i]).decode()


def make_image(version='1.0.0', size=65536, chip=CHIP_ESP32, project='micropython',
               hash_appended=True):
    """An ESP32 app image of about `size` bytes: header, a DROM segment that starts with the
    app description, an IRAM segment, checksum and (by default) the appended SHA-256. The
    filler bytes depend on `version`, so two versions differ throughout."""
    desc = struct.pack('<IIII', APP_DESC_MAGIC, 0, 0, 0)
    desc += _field(version, 32) + _field(project, 32) + _field('00:00:00', 16) \
        + _field('Jan  1 2026', 16) + _field('v5.5.1', 32) + bytes(32) + bytes(256 - 176)
    iram = 1024
    drom = max(len(desc), size - 24 - 8 - 8 - iram - 48)
    drom -= drom % 4
    end = 24 + 8 + drom + 8 + iram
    end += 16 - end % 16  # padding and the checksum byte
    img = bytearray(end + (32 if hash_appended else 0))
    struct.pack_into('<BBBBI', img, 0, MAGIC, 2, 2, 0x20, 0x40080000)
    struct.pack_into('<BBBBHBHHIB', img, 8, 0xEE, 0, 0, 0, chip, 0, 0, 399, 0,
                     1 if hash_appended else 0)
    struct.pack_into('<II', img, 24, 0x3F400020, drom)
    img[32:32 + len(desc)] = desc
    seed = hashlib.sha256(version.encode()).digest()
    for pos in range(32 + len(desc), 32 + drom, 32):
        seed = hashlib.sha256(seed).digest()
        n = min(32, 32 + drom - pos)
        img[pos:pos + n] = seed[:n]
    pos = 32 + drom
    struct.pack_into('<II', img, pos, 0x40080000, iram)
    for i in range(iram):
        img[pos + 8 + i] = i & 0xFF
    check = CHECKSUM_SEED
    for i in range(32, 32 + drom):
        check ^= img[i]
    for i in range(pos + 8, pos + 8 + iram):
        check ^= img[i]
    img[end - 1] = check
    if hash_appended:
        img[end:] = hashlib.sha256(memoryview(img)[:end]).digest()
    return bytes(img)


def _field(text, n):
    b = text.encode()[:n - 1]
    return b + bytes(n - len(b))


def create(path, table='ota', firmware=None, chip=CHIP_ESP32):
    """Give a simulated board a flash at `path` (a folder, created): the `table` ('ota': two
    OTA slots, as the OTA variant; 'factory': one app partition, as the stock ESP32_GENERIC) and
    `firmware` (an image, default ``make_image('1.0.0')``) in the first app partition, booted
    as if esptool had flashed it."""
    try:
        os.mkdir(path)
    except OSError:
        pass
    rows = OTA_TABLE if table == 'ota' else FACTORY_TABLE
    with open(path + '/table.json', 'w') as f:
        json.dump({'chip': chip, 'partitions': rows}, f)
    flash = Flash(path)
    image = firmware if firmware is not None else make_image('1.0.0', 16384)
    first = (flash.factory() or flash.apps()[0])[0]
    flash.erase(first, 0, (len(image) + SECTOR - 1) // SECTOR * SECTOR)
    flash.write(first, 0, image)
    flash.boot()
    return flash


def sha256_hex(data):
    return _hex(hashlib.sha256(data).digest())
