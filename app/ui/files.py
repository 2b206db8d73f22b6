"""App update: list the device's files (``GET /api/files``), take uploads (``POST``, in
``ui.update``, loaded only then), delete a file or an empty folder (``DELETE
/api/files?path=lib/x.py``; never the runtime's own files) and restart (``POST /api/restart``)."""
import os

from ui import error, forget

# Below this much free heap (collected) an upload beside a live stream ends the stream first
# (`_upload`). On the ESP8266 profile (56wK, 64-bit) an upload starts with 11.5-12 KB
# free beside a stream (every upload 503, on every retry), 18.4-20 KB without (each 201); a
# board's figures are about half. An ESP32 or `make run` has several times this free and
# keeps its streams.
UPLOAD_HEAP = 24 * 1024


def safe(path):
    """`path` (a name the client gave, relative to the app's folder) as a clean relative path,
    or None if it could leave that folder or names a hidden (dot) or temporary (``.new``) file;
    ``ui.update`` checks upload targets with it too."""
    parts = [p for p in path.replace('\\', '/').split('/') if p not in ('', '.')]
    for p in parts:
        if p == '..' or p[0] == '.' or len(p) > 64 or p.endswith('.new'):
            return None
        for ch in p:
            if ord(ch) < 32 or ch in ':*?"<>|':
                return None
    return '/'.join(parts) if parts else None


def is_dir(path):
    """True if `path` is a folder (False if it is a file or does not exist)."""
    try:
        return os.stat(path)[0] & 0x4000 != 0
    except OSError:
        return False


def listing(folder=''):
    """``GET /api/files[?dir=ui]``: [{"name", "size", "dir"}] of a folder, names sorted; an
    entry that is one of the runtime's own files (``device.kept``, which `delete` refuses) also
    has ``"kept": true``, so that the page offers no delete for it."""
    if folder:
        folder = safe(folder)
        if folder is None or not is_dir(folder):
            return error(404, 'no such folder')
    from device import kept
    out = []
    for entry in os.ilistdir(folder or '.'):
        name = entry[0]
        if name[0] == '.':
            continue
        isdir = entry[1] & 0x4000 != 0
        path = (folder + '/' if folder else '') + name
        item = {'name': name, 'size': 0 if isdir else os.stat(path)[6], 'dir': isdir}
        if kept.covers(path):
            item['kept'] = True
        out.append(item)
    forget('device.kept')  # not left loaded
    out.sort(key=lambda e: e['name'])
    return out


def kept(path):
    """The 400 for `path` if it is one of the runtime's own files (``device.kept``:
    the settings above all, which change only on the settings page), else None."""
    from device import kept
    own = kept.covers(path)
    forget('device.kept')  # not left loaded
    if own:
        return error(400, '%s belongs to the device itself: change the settings on /settings '
                     '(its Backup and reset saves and restores them)' % path)
    return None


def delete(path):
    """``DELETE /api/files?path=...``: remove a file, or a folder that is empty (not the
    runtime's own files, `kept`)."""
    from ui import log
    clean = safe(path or '')
    if clean is None:
        return error(400, 'this path cannot be deleted here')
    refused = kept(clean)
    if refused:
        return refused
    try:
        if is_dir(clean):
            os.rmdir(clean)
        else:
            os.remove(clean)
    except OSError as exc:
        if exc.errno == 2:
            return error(404, 'no such file')
        return error(409, 'the folder is not empty' if is_dir(clean) else str(exc))
    log.add('deleted', clean)
    return {'deleted': clean}


async def api(request, path, name):
    if path == 'restart':
        return restart()
    if request.method == 'DELETE':
        return delete(request.args.get('path'))
    if request.method == 'GET':
        return listing(request.args.get('dir', ''))
    from ui import state
    held = False
    try:
        if state.get('streams'):  # beside a live stream, short of heap: it ends first
            import gc
            gc.collect()
            if gc.mem_free() < UPLOAD_HEAP:
                state['hold'] = state.get('hold', 0) + 1
                held = True
        return await _upload(request, held)
    finally:
        if held:
            state['hold'] -= 1


async def _upload(request, held):
    """The upload (``ui.update``). `held`: a live stream was open with less than `UPLOAD_HEAP`
    free, and ``ui.state['hold']`` counts this upload: each stream ends at its next round
    (``ui.live``, within ``POLL_MS``; waited for here, at most 2 s) and a new one gets 503
    until the upload is done; the page asks for the values every few seconds meanwhile and
    opens its stream again after. (A stream holds about 7 KB of heap on the ESP8266 profile,
    56wK: there every upload beside one was 503 on every retry.)"""
    if held:
        import asyncio
        from ui import state
        for _ in range(40):
            if not state.get('streams'):
                break
            await asyncio.sleep_ms(50)
    # Collected first: otherwise the request's garbage (its head, the password check) still
    # lies between the long-lived blocks when the upload's modules load (ui.update ~3.9 KB,
    # device.install ~2.3 KB). On the ESP8266 profile (56wK) every upload of a .py file, or of
    # 3 KB, after two small ones was then 503 (4 runs of 4); collected, all are 201. Then
    # device.install, before ui.update's many small blocks: its names table grows to one
    # block of 37 entries (592 bytes on a 64-bit build, 296 on a board), which after a visit of
    # the dashboard often only the collected heap still has. Short of it, the upload goes on
    # (ui.update: the names are checked, and the import is tried again at the first file).
    import gc
    gc.collect()
    try:
        from device import install  # noqa: F401
    except MemoryError:
        pass
    try:  # (the import too: when it met a MemoryError, device.install stayed loaded for good)
        from ui import update
        return await update.upload(request)
    finally:
        try:
            forget('ui.update')
        finally:  # even if that met a MemoryError: else device.install stayed for good
            _drop_install()


def _drop_install():
    """Unload ``device.install`` (which an upload loads) unless an upload still holds it: its
    code and names would otherwise keep about 3 KB of a small board's heap after any upload,
    refused ones included, until the next restart. Not loaded, it is dropped too: an import of
    it that met a MemoryError left the partly-run module in ``sys.modules``' table
    (``device.launcher.unload``)."""
    import sys
    install = sys.modules.get('device.install')
    if install is None or not install.busy():
        forget('device.install')


def reset_later(go=(True,)):
    """Reset the board half a second from now if ``go[0]`` is true by then. A change followed
    by a restart (the factory reset) makes this task before the change and sets ``go[0]`` once
    it is made: nothing is left to allocate then, and a change that failed leaves no reset."""
    import asyncio
    import machine

    async def later():
        await asyncio.sleep_ms(500)
        if go[0]:
            machine.reset()

    asyncio.create_task(later())


def restart():
    """``POST /api/restart``: answer, then reset the board half a second later."""
    from ui import log
    log.add('restart requested')
    reset_later()
    return {'restarting': True}, 202
