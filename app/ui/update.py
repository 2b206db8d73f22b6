"""``POST /api/files``: a multipart/form-data body with an optional ``dir`` field first (a
folder such as ``ui``), then the ``names`` field (the names of the files that follow, one a line;
or the field repeated, one name each), then the files::

    curl -u admin:PASSWORD -F dir=lib -F names=a.py -F names=b.py \\
         -F file=@a.py -F file=@b.py http://DEVICE/api/files

Nothing is written before the names are known to be valid and distinct: a name given twice, a
bad one, or no ``names`` field before the first file is 400 at once (a streamed body cannot be
looked ahead in). A file that ``names`` did not announce, or one it announced that does not
come, is 400 too (the temporary files of a body that contradicts its names are removed).

Through ``device.install`` (loaded first if the heap has room for it, else when the first file
comes: refusing the names never needs it, so a full heap still gets the 400): one upload at a
time (another one meanwhile gets 409); each file is streamed to its own temporary file while its
size is checked; a ``.py`` file must compile (the error is the answer); only when every file
has arrived intact and passed are they installed together, the files they replace kept as the
previous version (which the runtime restores if the new app fails to import). A refused, failed
or aborted upload leaves the installed files as they were."""
import os

from ui import error, forget, log
from ui.files import is_dir, kept, safe

KEEP_FREE = 4096  # bytes the filesystem keeps free after an upload
# Bytes per read of the body (the form's and each file's): each read is a block of this size,
# and after a dashboard visit (56wK) the heap's free blocks are a few hundred bytes. With 512
# (the form's: 256) 8 of 20 uploads after a visit were 201, with 128 20 of 20; a 20 KB file on
# a fresh board was 503 every time (docs/memory.md). More, smaller writes to flash instead.
CHUNK = 128


def _free():
    """The filesystem's free bytes (``ui.status.filesystem``; that module is dropped again: an
    upload's request is ``ui.files``'s, and ``ui.api`` drops only that one after it)."""
    from ui import forget
    from ui.status import filesystem
    try:
        return filesystem()[1]
    finally:
        forget('ui.status')


def _target(folder, filename, taken):
    """(the path `filename` is installed at, None) or (None, the 400 to answer): a bad name,
    one of the runtime's own files (the settings: ``ui.files.kept``), or one already in `taken`."""
    target = safe((folder + '/' if folder else '') + filename)
    if target is None or is_dir(target):
        return None, error(400, 'bad file name %r' % filename)
    refused = kept(target)
    if refused:
        return None, refused
    if target in taken:
        return None, error(400, '%s is twice in the upload' % target)
    return target, None


def _claim(request, held):
    """At the first file of an upload: the space check (507) and the one upload slot (409), an
    error response or None (`held` is then ``[device.install]``, imported now if `upload` could
    not: on a 56wK board that import alone could meet a MemoryError, and when it came before
    the names were checked the 400 that explains a refusal was a 503)."""
    free = _free()
    if free is not None and request.content_length > free - KEEP_FREE:
        return error(507, 'not enough space on the device (%d bytes free)' % free)
    from device import install
    held.append(install)  # before the slot is claimed: a MemoryError here claims nothing
    if not install.begin():
        held.pop()
        return error(409, 'another upload is in progress: try again when it has finished')
    return None


async def _receive(request, pairs, held):
    """Stream every file part to a temporary file, appending (temporary file, target) to
    `pairs` (the slot is claimed at the first file: `_claim`); returns an error response or
    None."""
    from microdot.multipart import FileUpload, FormDataIter
    folder = ''
    declared = []  # the targets the names fields announced
    budget = request.content_length
    form = FormDataIter(request)
    form.buffer_size = CHUNK
    async for name, value in form:
        if not isinstance(value, FileUpload):
            if name == 'dir':
                folder = value.strip('/')
            elif name == 'names' and not pairs:
                for line in value.split('\n'):
                    target, res = _target(folder, line.strip('\r'), declared)
                    if res:
                        return res
                    declared.append(target)
            continue
        if not declared:
            break
        target, res = _target(folder, value.filename, [t for _, t in pairs])
        if res:
            return res
        if target not in declared:
            return error(400, '%s is not among the names announced' % target)
        if not held:
            res = _claim(request, held)
            if res:
                return res
        tmp = held[0].temp()
        pairs.append((tmp, target))
        size = 0
        with open(tmp, 'wb') as f:
            while True:
                chunk = await value.read(CHUNK)
                if not chunk:
                    break
                size += len(chunk)
                if size > budget:
                    return error(413, 'file larger than the request')
                f.write(chunk)
    if not declared:
        return error(400, 'name the files first: -F names=main.py before -F file=@main.py '
                     '(docs/web-ui.md)')
    if len(pairs) != len(declared):
        return error(400, 'the upload announced %d files and sent %d' % (len(declared), len(pairs)))
    return None


def _check(pairs):
    from device import install
    for tmp, target in pairs:
        problem = install.check(tmp, target)
        if problem:
            return error(400, problem)
    return None


async def upload(request):
    """``POST /api/files``: see the module documentation. 201 with the new files' sizes."""
    if not request.content_length:
        return error(411, 'Content-Length required')
    try:  # first, while the heap has the most room: an upload that is accepted needs it
        from device import install  # noqa: F401
    except MemoryError:  # then when the first file comes: refusing the names needs none of it
        pass
    pairs = []
    held = []  # [device.install] once the first file has claimed the slot
    try:
        try:
            res = await _receive(request, pairs, held) or _check(pairs)
        except MemoryError:
            raise
        except Exception as exc:
            res = error(400, 'upload failed: %s' % exc)
            if getattr(exc, 'status_code', None):
                res = error(exc.status_code, exc.reason or 'bad upload')
        if res is not None:
            return res
        held[0].install(pairs)  # (every announced file came: the slot is held)
    finally:
        try:
            if held:
                try:  # those not installed (all, on an error); the pairs as they are: no new list
                    held[0].discard(pairs)
                finally:  # the slot is let go even if that met a MemoryError (else 409 for good)
                    held[0].end()
        finally:  # the modules loaded last go first (``device.launcher.unload``): the form's
            forget('microdot.helpers')
            forget('microdot.multipart')
    out = []
    for _, target in pairs:
        size = os.stat(target)[6]
        out.append({'name': target, 'size': size})
        log.add('update: wrote', target, size, 'bytes')
    return {'files': out}, 201
