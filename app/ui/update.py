"""``POST /api/files``: a multipart/form-data body with an optional ``dir`` field first (a
folder such as ``ui``), then one or more files. Each file is streamed to ``<name>.new`` while its
size is checked, and only when every file has arrived intact are they renamed over the old ones,
so an interrupted or refused upload leaves the running app as it was."""
import os

from ui import error, log
from ui.files import _is_dir, _safe

KEEP_FREE = 4096  # bytes the filesystem keeps free after an upload


def _free():
    from ui.status import filesystem
    return filesystem()[1]


def _remove(path):
    try:
        os.remove(path)
    except OSError:
        pass


def _mkdirs(path):
    parts = path.split('/')[:-1]
    for i in range(len(parts)):
        d = '/'.join(parts[:i + 1])
        if not _is_dir(d):
            os.mkdir(d)


async def _receive(request, written):
    """Stream every file part to ``<target>.new`` (appending targets to `written`); returns
    an error response or None."""
    from microdot.multipart import FileUpload, FormDataIter
    folder = ''
    budget = request.content_length
    async for name, value in FormDataIter(request):
        if not isinstance(value, FileUpload):
            if name == 'dir':
                folder = value.strip('/')
            continue
        target = _safe((folder + '/' if folder else '') + value.filename)
        if target is None or _is_dir(target):
            return error(400, 'bad file name %r' % value.filename)
        _mkdirs(target)
        written.append(target)
        size = 0
        with open(target + '.new', 'wb') as f:
            while True:
                chunk = await value.read(512)
                if not chunk:
                    break
                size += len(chunk)
                if size > budget:
                    return error(413, 'file larger than the request')
                f.write(chunk)
    return None if written else error(400, 'no file in the upload')


async def upload(request):
    """``POST /api/files``: see the module documentation. 201 with the new files' sizes."""
    if not request.content_length:
        return error(411, 'Content-Length required')
    free = _free()
    if free is not None and request.content_length > free - KEEP_FREE:
        return error(507, 'not enough space on the device (%d bytes free)' % free)
    written = []
    try:
        res = await _receive(request, written)
    except Exception as exc:
        res = error(400, 'upload failed: %s' % exc)
        if getattr(exc, 'status_code', None):
            res = error(exc.status_code, exc.reason or 'bad upload')
    if res is not None:
        for target in written:
            _remove(target + '.new')
        return res
    out = []
    for target in written:
        try:
            os.rename(target + '.new', target)
        except OSError:  # FAT refuses to rename over an existing file
            _remove(target)
            os.rename(target + '.new', target)
        size = os.stat(target)[6]
        out.append({'name': target, 'size': size})
        log.add('update: wrote', target, size, 'bytes')
    return {'files': out}, 201


