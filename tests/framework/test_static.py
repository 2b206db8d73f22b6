# microdot.static: safe directory serving, gzip siblings, ETag / 304, cache headers.
import os

from microdot import Microdot
from microdot.static import safe_path, static
from microdot.test_client import TestClient

DIR = '/tmp/microdot-firmware-static-test'  # host-only test: the unix port has /tmp
WWW = DIR + '/www'


def write(name, data):
    path = ''
    for part in (DIR[1:] + '/' + name).split('/')[:-1]:
        path += '/' + part
        try:
            os.mkdir(path)
        except OSError:
            pass
    with open(DIR + '/' + name, 'wb') as f:
        f.write(data)


def setup():
    write('secret.txt', b'outside the served directory')
    write('www/index.html', b'<h1>home</h1>')
    write('www/app.js', b'console.log(1)')
    write('www/app.js.gz', b'GZIPPED-JS')
    write('www/only.css.gz', b'GZIPPED-CSS')
    write('www/sub/page.txt', b'sub page')
    write('www/sub/index.html', b'sub index')
    write('www/.env', b'SECRET=1')
    app = Microdot()
    static(app, '/static', WWW, max_age=None)
    static(app, '/cached', WWW, max_age=3600)
    return TestClient(app)


async def test_serves_a_file_with_type_length_etag_and_no_cache():
    client = setup()
    res = await client.get('/static/sub/page.txt')
    assert res.status_code == 200 and res.body == b'sub page'
    assert res.headers['Content-Type'] == 'text/plain'
    assert res.headers['Content-Length'] == '8'
    assert res.headers['Cache-Control'] == 'no-cache'
    assert res.headers['ETag'].startswith('"8-') and res.headers['ETag'].endswith('"')
    res = await client.get('/cached/sub/page.txt')
    assert res.headers['Cache-Control'] == 'max-age=3600'


async def test_directory_serves_its_index():
    client = setup()
    assert (await client.get('/static/')).body == b'<h1>home</h1>'
    res = await client.get('/static/sub/')
    assert res.body == b'sub index' and res.headers['Content-Type'] == 'text/html'


async def test_directory_without_slash_is_redirected_to_it():
    client = setup()
    res = await client.get('/static/sub')
    assert res.status_code == 301 and res.headers['Location'] == '/static/sub/'


async def test_matching_if_none_match_gives_304_without_body():
    client = setup()
    etag = (await client.get('/static/app.js')).headers['ETag']
    res = await client.get('/static/app.js', headers={'If-None-Match': etag})
    assert res.status_code == 304 and res.body == b''
    assert res.headers['ETag'] == etag
    res = await client.get('/static/app.js', headers={'If-None-Match': '"other", ' + etag})
    assert res.status_code == 304
    res = await client.get('/static/app.js', headers={'If-None-Match': '"other"'})
    assert res.status_code == 200 and res.body == b'console.log(1)'


async def test_gzip_sibling_is_sent_to_clients_that_accept_it():
    client = setup()
    res = await client.get('/static/app.js', headers={'Accept-Encoding': 'gzip, deflate, br'})
    assert res.status_code == 200 and res.body == b'GZIPPED-JS'
    assert res.headers['Content-Encoding'] == 'gzip'
    assert res.headers['Content-Type'] == 'application/javascript'
    assert res.headers['Vary'] == 'Accept-Encoding'
    assert res.headers['Content-Length'] == '10'
    plain = await client.get('/static/app.js')
    assert plain.body == b'console.log(1)' and 'Content-Encoding' not in plain.headers
    assert plain.headers['ETag'] != res.headers['ETag']


async def test_gzip_only_file_needs_accept_encoding():
    client = setup()
    res = await client.get('/static/only.css', headers={'Accept-Encoding': 'gzip'})
    assert res.status_code == 200 and res.body == b'GZIPPED-CSS'
    assert res.headers['Content-Type'] == 'text/css'
    assert (await client.get('/static/only.css')).status_code == 406


async def test_traversal_and_absolute_paths_are_refused_with_400():
    client = setup()
    for path in ('/static/../secret.txt', '/static/sub/../../secret.txt',
                 '/static/%2e%2e/secret.txt', '/static/%2E%2E%2fsecret.txt',
                 '/static//tmp/microdot-firmware-static-test/secret.txt',
                 '/static/%2ftmp/microdot-firmware-static-test/secret.txt',
                 '/static/sub%5c..%5c..%5csecret.txt', '/static/a%00b', '/static/%0d%0a',
                 '/static/C:secret.txt', '/static/%zz', '/static/%ff'):
        res = await client.get(path)
        assert res.status_code == 400, path
        assert b'outside' not in (res.body or b''), path


async def test_hidden_and_missing_files_are_404():
    client = setup()
    for path in ('/static/.env', '/static/sub/.hidden', '/static/nope.txt', '/static/sub/x/y'):
        assert (await client.get(path)).status_code == 404, path


async def test_head_sends_headers_only():
    client = setup()
    res = await client.request('HEAD', '/static/sub/page.txt')
    assert res.status_code == 200 and res.headers['Content-Length'] == '8'
    assert not res.body


def test_safe_path_decodes_once_and_splits():
    assert safe_path('a/b%20c/./d.txt') == ['a', 'b c', 'd.txt']
    assert safe_path('a+b') == ['a+b']
    assert safe_path('%252e%252e') == ['%2e%2e']  # decoded once only: a literal name
    assert safe_path('a/../b') == 400
    assert safe_path('.git/config') == 404
