"""File uploads: files are streamed to flash piece by piece, so a file far bigger than the free
RAM can be uploaded. Uploads above MAX_UPLOAD get 413 (Payload Too Large).
"""
import os

from microdot import Microdot, Request
from microdot.multipart import FileUpload, FormDataIter

MAX_UPLOAD = 256 * 1024
Request.max_content_length = MAX_UPLOAD  # the default is 16 KiB
UPLOAD_DIR = 'uploads'

try:
    os.mkdir(UPLOAD_DIR)
except OSError:
    pass  # already there

app = Microdot()

PAGE = '''<!doctype html><meta name="viewport" content="width=device-width">
<title>Uploads</title><h1>Upload a file</h1>
<form method="post" action="/upload" enctype="multipart/form-data">
<input type="file" name="file" multiple> <button>Upload</button></form>
<h2>Files</h2><ul>%s</ul>'''


def escape(text):
    """`text` safe inside HTML: a file name is chosen by whoever uploads it."""
    return str(text).replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;') \
        .replace('"', '&quot;')


def safe_name(name):
    """The file name without any directory part, so an upload stays in UPLOAD_DIR."""
    name = name.replace('\\', '/').split('/')[-1]
    return name if name and not name.startswith('.') else 'upload'


@app.route('/')
async def index(request):
    items = ''.join('<li>%s (%d bytes)</li>' % (escape(name), os.stat(UPLOAD_DIR + '/' + name)[6])
                    for name in sorted(os.listdir(UPLOAD_DIR)))
    return PAGE % items, {'Content-Type': 'text/html; charset=UTF-8'}


@app.post('/upload')
async def upload(request):
    saved = []
    async for field, value in FormDataIter(request):
        if isinstance(value, FileUpload):
            name = safe_name(value.filename)
            await value.save(UPLOAD_DIR + '/' + name)
            saved.append(name)
    return {'saved': saved}


if __name__ == '__main__':
    app.run(port=5000, debug=True)
