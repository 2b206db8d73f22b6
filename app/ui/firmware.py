"""Firmware update over the air (ESP32 ``OTA`` builds): ``GET /api/firmware`` says whether the
board can take one and what it runs; ``POST /api/firmware`` takes the image.

The image goes up in pieces, one request each (the UI caps a request body at ``UPLOAD_MAX``;
pieces also let the page show progress)::

    POST /api/firmware?size=<bytes>&sha256=<hex>&offset=<bytes>      body: the next piece

`offset` 0 starts an update (dropping any unfinished one); each following piece must start where
the previous one ended (409 otherwise) and be a whole number of 4 KiB blocks, except the last.
Each piece is written straight into the update slot by ``device.ota``; the answer to the last one
says the image is checked and set to boot, and the board restarts half a second later into it.
``device.rollback`` then keeps it once the new firmware has served this UI, or goes back.
"""
from ui import error


def state():
    """``GET /api/firmware``: {"ota": true, "running": {...}, "next": {...}, "piece",
    "update"} or, on a board without a second app slot, {"ota": false, "message"}."""
    from device import ota
    s = ota.slots()
    if s is None:
        return {'ota': False, 'message': (
            'This board cannot update its firmware over the air: it has no second firmware '
            'slot (a Pico W, an ESP8266, or an ESP32 built without the OTA variant). Update it '
            'over USB instead: build the image with make firmware BOARD=<board> and write it '
            'with make flash (docs/firmware.md).')}
    from device import rollback
    return {'ota': True, 'running': ota.describe(s[0]), 'next': ota.describe(s[1]),
            'piece': PIECE, 'update': rollback.note()}


PIECE = 65536  # bytes per request the page sends (a multiple of the 4 KiB block, < UPLOAD_MAX)


def _int(value):
    return int(value) if value and value.isdigit() else -1


async def receive(request):
    """``POST /api/firmware``: one piece of the image (see the module documentation)."""
    from device import ota
    args = request.args
    size, offset = _int(args.get('size')), _int(args.get('offset'))
    sha256 = args.get('sha256') or ''
    n = request.content_length
    if size < 0 or offset < 0:
        return error(400, 'size and offset (bytes) are required')
    if not n:
        return error(411, 'Content-Length required')
    try:
        if offset == 0:
            up = ota.begin(size, sha256)
        else:
            up = ota.current()
            if up is None or up.size != size or up.sha256 != sha256.lower():
                return error(409, 'no update in progress for this image: start at offset 0')
            if offset != up.done:
                return error(409, 'expected the piece at offset %d' % up.done)
        await up.feed(request.stream, n)
        if up.done < up.size:
            return {'received': up.done, 'size': up.size}, 202
        label = up.finish()
    except ota.Refused as exc:
        if exc.status != 409:  # 409: another request is writing this update; leave it be
            ota.cancel()
        return error(exc.status, exc.message)
    except MemoryError:  # nothing booted; the page may send the image again
        ota.cancel()
        return error(503, 'out of memory while writing the image: try again')
    except Exception as exc:  # the connection dropped, flash failed...: nothing is booted
        ota.cancel()
        return error(400, 'update failed: %s' % exc)
    ota.cancel(erase=False)
    version = ota.describe(up.part)['version']
    from device import rollback
    from ui import log
    try:
        rollback.expect(label, version)
    except OSError as exc:  # a full filesystem: the update still boots, only unwatched
        log.add('firmware: the update note could not be written: %s' % exc)
    from ui.files import restart
    log.add('firmware: %s written to %s, restarting' % (version, label))
    restart()
    return {'received': up.done, 'size': up.size, 'boot': label, 'version': version,
            'restarting': True}


async def api(request, path, name):
    try:
        if request.method == 'GET':
            return state()
        return await receive(request)
    finally:
        from device import ota
        if ota.current() is None:  # no update in progress: its code need not stay in RAM
            from ui import forget
            forget('device.ota')
