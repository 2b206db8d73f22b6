"""Firmware update over the air on an ESP32 built with two app slots (the ``OTA`` variant).

An uploaded application image (``micropython.bin``, not the whole-flash ``firmware.bin``) is
written straight into the partition after the running one
(``Partition(Partition.RUNNING).get_next_update()``): each 4 KiB block is erased
(``ioctl(6, block)``) and then programmed 512 bytes at a time as they arrive (the 4-argument
``writeblocks``), so the image never sits in RAM; one 512-byte buffer does. Before anything is
written the declared size must fit the slot; the first bytes must be an ESP32 app image for this
chip (magic byte 0xE9, segment count, chip id, the application description); the SHA-256 the
uploader announced is computed while the bytes go by, and only if it matches is the slot made
the boot partition (``set_boot()``, which also has the bootloader's own checks run on it). The
board then reboots into it, and ``device.rollback`` decides whether it stays.

The upload may come in pieces (`Update.feed` per HTTP request, each a whole number of blocks
except the last), so no web server limit on a request body caps the image size. One update runs
at a time: `begin()` replaces any unfinished one. A refused or abandoned upload leaves the boot
partition as it was and the first block of the slot erased, so no half image looks bootable.

Boards without the ``esp32`` module (Pico W, ESP8266) or without a second app slot (the stock
ESP32_GENERIC table: one ``factory`` app) have no over-the-air update: `slots()` is None there.
"""
BLOCK = 4096  # the flash's erase unit, Partition's native block size
CHUNK = 512  # bytes read from the upload and written to flash at a time (the only buffer)
HEAD = 112  # header, first segment header and application description up to the project name
_APP_DESC = b'\x32\x54\xcd\xab'  # ESP_APP_DESC_MAGIC_WORD, little-endian

_current = None


class Refused(Exception):
    """An upload that cannot be used: `status` is the HTTP status for it, `message` says why."""

    def __init__(self, status, message):
        self.status = status
        self.message = message


def slots():
    """(running partition, partition the next update goes to), or None on a board that cannot
    update over the air."""
    try:
        from esp32 import Partition
    except ImportError:
        return None
    try:
        running = Partition(Partition.RUNNING)
        return running, running.get_next_update()
    except OSError:  # ENOENT: no OTA app partition
        return None


def _cstr(b):
    b = bytes(b)
    i = b.find(b'\x00')
    try:
        return (b if i < 0 else b[:i]).decode()
    except UnicodeError:  # not text: an image from elsewhere
        return None


def describe(part):
    """{"label", "size", "project", "version"} of a partition (project and version from the
    image's application description; None when the slot holds no app image)."""
    info = part.info()
    head = bytearray(HEAD)
    part.readblocks(0, head)
    out = {'label': info[4], 'size': info[3], 'project': None, 'version': None}
    if head[0] == 0xE9 and head[32:36] == _APP_DESC:
        out['version'] = _cstr(head[48:80])
        out['project'] = _cstr(head[80:112])
    return out


def check_header(head, ref):
    """None if `head` (the first HEAD bytes of an upload) is an ESP32 app image for the chip
    whose image starts with `ref`; otherwise why not."""
    if head[0] != 0xE9:
        return 'not an ESP32 firmware image (its first byte is not 0xE9)'
    if not 0 < head[1] <= 16:
        return 'not an ESP32 firmware image (%d segments)' % head[1]
    if head[12:14] != ref[12:14]:
        return 'built for another chip (chip id %d, this board is %d)' % (
            head[12] | head[13] << 8, ref[12] | ref[13] << 8)
    if head[32:36] != _APP_DESC:
        return ('not an application image: upload micropython.bin from the build, not the '
                'whole-flash firmware.bin or a bootloader')
    return None


class Update:
    """One upload of `size` bytes whose SHA-256 is `sha256` (hex) into partition `part`."""

    def __init__(self, part, running, size, sha256):
        import hashlib
        info = part.info()
        if size <= HEAD:
            raise Refused(400, 'an image of %d bytes is too small' % size)
        if size > info[3]:
            raise Refused(413, 'the image (%d bytes) is larger than the update slot %s (%d bytes)'
                          % (size, info[4], info[3]))
        sha256 = sha256.lower()
        if len(sha256) != 64 or sha256.strip('0123456789abcdef'):
            raise Refused(400, 'sha256 must be 64 hex digits')
        self.part = part
        self.label = info[4]
        self.running = running
        self.size = size
        self.sha256 = sha256
        self.done = 0
        self.busy = False  # a piece is being written (a second one at once is refused)
        self._hash = hashlib.sha256()
        self._buf = bytearray(CHUNK)

    async def feed(self, reader, n):
        """Write the next `n` bytes of the image, read from `reader` (an async stream with
        ``read(k)``). Unless they end the image, `n` is a multiple of the block size."""
        if self.busy:
            raise Refused(409, 'another piece of this image is being written')
        if n <= 0 or self.done + n > self.size or (n % BLOCK and self.done + n != self.size):
            raise Refused(400, 'a piece must be a multiple of %d bytes (except the last) and '
                          'stay within the image' % BLOCK)
        self.busy = True
        try:
            buf = self._buf
            end = self.done + n
            while self.done < end:
                want = min(CHUNK, end - self.done)
                got = 0
                while got < want:
                    data = await reader.read(want - got)
                    if not data:
                        raise Refused(400, 'the upload ended early')
                    buf[got:got + len(data)] = data
                    got += len(data)
                self._write(memoryview(buf)[:got])
        finally:
            self.busy = False

    def _write(self, data):
        block, offset = divmod(self.done, BLOCK)
        if self.done == 0:  # the first chunk holds the header: check it before writing
            ref = bytearray(HEAD)
            self.running.readblocks(0, ref)
            problem = check_header(data, ref)
            if problem:
                raise Refused(422, problem)
        if offset == 0:  # a new block: erase it, then program it chunk by chunk
            if self.part.ioctl(6, block):
                raise OSError(22)
        self.part.writeblocks(block, data, offset)
        self._hash.update(data)
        self.done += len(data)

    def finish(self):
        """Check the whole image and make it the boot partition; returns the slot's label."""
        import binascii
        if self.done != self.size:
            raise Refused(400, 'the image is incomplete (%d of %d bytes)' % (self.done, self.size))
        digest = binascii.hexlify(self._hash.digest()).decode()
        if digest != self.sha256:
            raise Refused(422, 'SHA-256 mismatch: the image is %s, the upload announced %s'
                          % (digest, self.sha256))
        try:
            self.part.set_boot()  # ESP-IDF verifies the image (segments, checksum, hash) first
        except OSError as exc:
            raise Refused(422, 'the bootloader refuses the image (%s)' % (exc.args[-1],))
        return self.label

    def discard(self):
        """Erase the slot's first block: what was written can no longer pass for an image."""
        try:
            self.part.ioctl(6, 0)
        except OSError:
            pass


def begin(size, sha256):
    """Start a new update (dropping an unfinished one); returns it. Refused (status 404) on a
    board without over-the-air update."""
    global _current
    cancel()
    s = slots()
    if s is None:
        raise Refused(404, 'this board has no second firmware slot')
    _current = Update(s[1], s[0], size, sha256)
    return _current


def current():
    """The update in progress, or None."""
    return _current


def cancel(erase=True):
    """Drop the update in progress, erasing what it wrote (unless `erase` is False: it is
    finished and the board boots it next)."""
    global _current
    if _current is not None:
        if erase and _current.done:
            _current.discard()
        _current = None
