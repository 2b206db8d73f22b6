"""microdot.multipart (dual-runtime). The whole module runs under a small heap on the .mpy run:
a 1 MB upload streams through it to a file.
# heapsize: 64wK
"""
import os

from microdot import Microdot, Request
from microdot.multidict import NoCaseDict
from microdot.multipart import FileUpload, FormDataIter, with_form_data
from microdot.test_client import TestClient

BOUNDARY = 'b0undary-XyZ'


def body(*parts):
    """A multipart body of (name, value, filename, content type) parts, joined once (adding
    piece after piece would fragment the small heap this module runs in)."""
    out = []
    for name, value, filename, ctype in parts:
        disp = 'Content-Disposition: form-data; name="%s"' % name
        if filename is not None:
            disp += '; filename="%s"' % filename
        out += [b'--', BOUNDARY.encode(), b'\r\n', disp.encode(), b'\r\n']
        if ctype:
            out += [b'Content-Type: ', ctype.encode(), b'\r\n']
        out += [b'\r\n', value, b'\r\n']
    return b''.join(out + [b'--', BOUNDARY.encode(), b'--\r\n'])


HEADERS = {'Content-Type': 'multipart/form-data; boundary=' + BOUNDARY}


def tmp_name(stem):
    """A file name in /tmp that concurrent test runs do not share."""
    return '/tmp/' + stem + '_' + ''.join('%02x' % b for b in os.urandom(4))


def make_app():
    app = Microdot()

    @app.post('/form')
    @with_form_data
    async def form(request):
        files = {}
        for name, upload in request.files.items():
            data = await upload.read()
            files[name] = [upload.filename, upload.content_type,
                           data.decode() if name == 'doc' else len(data)]
        return {'form': request.form, 'files': files}

    @app.route('/iter', methods=['GET', 'POST'])
    async def iterate(request):
        out = []
        async for name, value in FormDataIter(request):
            if isinstance(value, FileUpload):
                out.append([name, value.filename, len(await value.read(5)), 'file'])
            else:
                out.append([name, value])
        return {'parts': out}

    return app


async def test_fields_and_files():
    data = body(('title', b'hello world', None, None),
                ('note', 'caf\u00e9 \u2713'.encode(), None, None),
                ('doc', b'file contents\r\nwith --b0undary inside', 'a "b".txt', 'text/plain'),
                ('pic', bytes(range(256)) * 3, 'p.bin', 'application/octet-stream'))
    for size in (1, 7, 64, 256, 4096):
        FormDataIter.buffer_size = size
        try:
            res = await TestClient(make_app()).post('/form', headers=HEADERS, body=data)
        finally:
            FormDataIter.buffer_size = 256
        assert res.status_code == 200, (size, res.text)
        assert res.json['form'] == {'title': 'hello world', 'note': 'caf\u00e9 \u2713'}
        doc = res.json['files']['doc']
        assert doc == ['a "b".txt', 'text/plain',
                       'file contents\r\nwith --b0undary inside']
        assert res.json['files']['pic'] == ['p.bin', 'application/octet-stream', 768]


async def test_unread_files_are_skipped_by_the_iterator():
    data = body(('f1', b'x' * 1000, 'a.txt', None), ('after', b'yes', None, None))
    res = await TestClient(make_app()).post('/iter', headers=HEADERS, body=data)
    assert res.json == {'parts': [['f1', 'a.txt', 5, 'file'], ['after', 'yes']]}


async def test_not_multipart_yields_nothing():
    client = TestClient(make_app())
    assert (await client.get('/iter')).json == {'parts': []}
    res = await client.post('/iter', body={'a': 1})
    assert res.json == {'parts': []}


async def test_boundary_without_space_and_quoted():
    data = body(('a', b'1', None, None))
    for ctype in ('multipart/form-data;boundary=' + BOUNDARY,
                  'multipart/form-data; boundary="' + BOUNDARY + '"; charset=utf-8'):
        res = await TestClient(make_app()).post('/iter', headers={'Content-Type': ctype},
                                                body=data)
        assert res.json == {'parts': [['a', '1']]}


async def test_malformed_bodies_are_400():
    client = TestClient(make_app())
    bad = [b'no delimiter at all',
           b'--' + BOUNDARY.encode() + b'\r\nContent-Disposition: form-data; name="a"\r\n\r\n'
           b'truncated',
           b'--' + BOUNDARY.encode() + b'\r\nX-No-Name: 1\r\n\r\nv\r\n--' +
           BOUNDARY.encode() + b'--\r\n']
    for data in bad:
        res = await client.post('/form', headers=HEADERS, body=data)
        assert res.status_code == 400, data


async def test_large_file_spools_to_temp_file_and_is_removed():
    seen = {}
    saved = tmp_name('saved')
    app = Microdot()

    @app.post('/up')
    @with_form_data
    async def up(request):
        upload = request.files['f']
        seen['temp'] = upload._temp[1]
        seen['exists'] = seen['temp'] in os.listdir()
        await upload.save(saved)
        return 'ok'

    data = body(('f', b'0123456789' * 500, 'big.bin', None))
    res = await TestClient(app).post('/up', headers=HEADERS, body=data)
    assert res.status_code == 200
    assert seen['exists'] and seen['temp'] not in os.listdir()
    with open(saved, 'rb') as f:
        assert f.read() == b'0123456789' * 500
    os.remove(saved)


class GeneratedBody:
    """A streamed request body made on the fly: a multipart upload of `size` bytes."""

    def __init__(self, size):
        self.head = (b'--' + BOUNDARY.encode() + b'\r\nContent-Disposition: form-data; '
                     b'name="f"; filename="big.bin"\r\n\r\n')
        self.tail = b'\r\n--' + BOUNDARY.encode() + b'--\r\n'
        self.size = size
        self.pos = -1

    async def read(self, n=-1):
        if self.pos < 0:
            self.pos = 0
            return self.head
        if self.pos >= self.size:
            tail, self.tail = self.tail, b''
            return tail
        n = min(n, self.size - self.pos)
        self.pos += n
        return b'\xa5' * n


async def test_one_megabyte_upload_streams_to_a_file():
    app = Microdot()
    size = 1024 * 1024
    big = tmp_name('big')

    @app.post('/up')
    @with_form_data
    async def up(request):
        await request.files['f'].save(big)
        return str(os.stat(big)[6])

    headers = NoCaseDict({'Content-Type': HEADERS['Content-Type'],
                          'Content-Length': str(size + 200)})
    old = Request.max_content_length
    Request.max_content_length = 2 * size
    try:
        req = Request(app, ('127.0.0.1', 1), 'POST', '/up', '1.1', headers,
                      stream=GeneratedBody(size))
        res = await app.dispatch_request(req)
    finally:
        Request.max_content_length = old
    assert res.status_code == 200 and res.body == str(size).encode()
    with open(big, 'rb') as f:
        assert f.read(4) == b'\xa5\xa5\xa5\xa5'
    os.remove(big)

