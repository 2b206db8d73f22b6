"""File uploads: files are streamed to flash piece by piece, so a file far bigger than the free
RAM can be uploaded. Uploads above MAX_UPLOAD get 413 (Payload Too Large).

Nothing is lost on the way: each file is written to a temporary file of its own, and the files of
a request replace the old ones only once all of them have arrived whole. So an upload cut short
leaves the old files as they were, and a refused one installs none of its files: a name that is
too long or has control characters, or a name twice in one request, gets 400. One upload at a
time: another one meanwhile gets 409 (try again when it has finished).

An upload names its files first, in a `names` field before them (one name a line, or the field
once per file), so a bad or repeated name is refused (400) before anything is written: a streamed
body cannot be looked ahead in. The page's form fills that field itself; with curl:

    curl -F names=a.txt -F names=b.txt -F file=@a.txt -F file=@b.txt http://127.0.0.1:5000/upload
"""
import os

from microdot import Microdot, Request
from microdot.multipart import FileUpload, FormDataIter

MAX_UPLOAD = 256 * 1024
Request.max_content_length = MAX_UPLOAD  # the default is 16 KiB
MAX_NAME = 64  # characters of a file name
UPLOAD_DIR = 'uploads'

try:
    os.mkdir(UPLOAD_DIR)
except OSError:
    pass  # already there

app = Microdot()

PAGE = '''<!doctype html><meta name="viewport" content="width=device-width">
<title>Uploads</title><h1>Upload a file</h1>
<form method="post" action="/upload" enctype="multipart/form-data">
<input type="hidden" name="names"><input type="file" name="file" multiple
onchange="names.value=Array.from(files,function(f){return f.name}).join('\\n')">
<button>Upload</button></form>
<h2>Files</h2><ul>%s</ul>'''


def escape(text):
    """`text` safe inside HTML: a file name is chosen by whoever uploads it."""
    return str(text).replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;') \
        .replace('"', '&quot;')


def safe_name(name):
    """The file name without any directory part, so an upload stays in UPLOAD_DIR; None if it
    is too long for a filesystem or has control characters (NUL...)."""
    name = name.replace('\\', '/').split('/')[-1]
    if len(name) > MAX_NAME or any(ord(c) < 32 or c == '\x7f' for c in name):
        return None
    return name if name and not name.startswith('.') else 'upload'


_count = 0
_busy = False  # an upload is under way


def temp_name():
    """A temporary file in UPLOAD_DIR of this upload's own (a dot name: not listed)."""
    global _count
    _count += 1
    return '%s/.part%d' % (UPLOAD_DIR, _count)


def install(tmp, name):
    """Rename the whole file `tmp` over UPLOAD_DIR/`name`."""
    path = UPLOAD_DIR + '/' + name
    try:
        os.rename(tmp, path)
    except OSError:  # FAT cannot rename over a file
        os.remove(path)
        os.rename(tmp, path)


def remove(paths):
    for path in paths:
        try:
            os.remove(path)
        except OSError:
            pass  # already renamed, or never made


@app.route('/')
async def index(request):
    items = ''.join('<li>%s (%d bytes)</li>' % (escape(name), os.stat(UPLOAD_DIR + '/' + name)[6])
                    for name in sorted(os.listdir(UPLOAD_DIR)) if name[0] != '.')
    return PAGE % items, {'Content-Type': 'text/html; charset=UTF-8'}


@app.post('/upload')
async def upload(request):
    global _busy
    if _busy:
        return {'error': 'another upload is in progress: try again when it has finished'}, 409
    _busy = True
    names = []  # announced by the names field, checked before any file is written
    parts = []  # (temporary file, name), installed together once every file has arrived
    try:
        async for field, value in FormDataIter(request):
            if field == 'names' and not parts:
                for name in value.split('\n'):
                    name = safe_name(name.strip('\r'))
                    if name is None or name in names:
                        return {'error': 'bad or repeated file name', 'saved': []}, 400
                    names.append(name)
            elif isinstance(value, FileUpload):
                if not names:
                    return {'error': 'name the files first: -F names=a.txt before -F '
                            'file=@a.txt', 'saved': []}, 400
                name = safe_name(value.filename)
                if name not in names or name in [n for _, n in parts]:
                    return {'error': 'a file the names did not announce', 'saved': []}, 400
                parts.append((temp_name(), name))
                await value.save(parts[-1][0])
        if len(parts) != len(names):
            return {'error': 'announced files missing', 'saved': []}, 400
        for tmp, name in parts:
            install(tmp, name)
    finally:
        remove([tmp for tmp, _ in parts])  # those not installed (all, on an error)
        _busy = False
    return {'saved': [name for _, name in parts]}


if __name__ == '__main__':
    app.run(port=5000, debug=True)
