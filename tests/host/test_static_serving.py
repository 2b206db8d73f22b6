"""microdot.static over real sockets under every runtime: raw traversal attempts, real gzip
that a real client decodes, ETag revalidation with http.client."""
import gzip
import http.client
import os
import tempfile

import pytest

from support.rawhttp import exchange


@pytest.fixture
def www():
    with tempfile.TemporaryDirectory() as root:
        os.mkdir(os.path.join(root, 'www'))
        with open(os.path.join(root, 'secret.txt'), 'wb') as f:
            f.write(b'TOP SECRET')
        with open(os.path.join(root, 'www', 'app.js'), 'wb') as f:
            f.write(b'let x = 1;\n' * 200)
        with open(os.path.join(root, 'www', 'app.js.gz'), 'wb') as f:
            f.write(gzip.compress(b'let x = 1;\n' * 200))
        yield root


def test_raw_traversal_never_leaves_the_directory(serve, www):
    server = serve('hard_app', args=['static=' + os.path.join(www, 'www')])
    for target in (b'/static/../secret.txt', b'/static/%2e%2e/secret.txt',
                   b'/static/..%2fsecret.txt', b'/static/' + www.encode() + b'/secret.txt',
                   b'/static/%2f' + www.encode()[1:] + b'/secret.txt',
                   b'/static/..\\secret.txt'):
        answer = exchange(server.port, b'GET ' + target + b' HTTP/1.1\r\nConnection: close\r\n\r\n')
        assert answer.startswith(b'HTTP/1.1 400 '), (target, answer)
        assert b'TOP SECRET' not in answer
    assert 'Traceback' not in server.stop()


def test_gzip_file_is_decoded_by_a_real_client_and_revalidates(serve, www):
    server = serve('hard_app', args=['static=' + os.path.join(www, 'www')])
    conn = http.client.HTTPConnection('127.0.0.1', server.port, timeout=5)
    conn.request('GET', '/static/app.js', headers={'Accept-Encoding': 'gzip'})
    res = conn.getresponse()
    body = res.read()
    assert res.status == 200 and res.getheader('Content-Encoding') == 'gzip'
    assert gzip.decompress(body) == b'let x = 1;\n' * 200
    etag = res.getheader('ETag')
    conn.request('GET', '/static/app.js', headers={'Accept-Encoding': 'gzip',
                                                   'If-None-Match': etag})
    res = conn.getresponse()
    assert res.status == 304 and res.read() == b''
    conn.request('GET', '/static/app.js')  # same connection, still in sync after the 304
    res = conn.getresponse()
    assert res.status == 200 and res.read() == b'let x = 1;\n' * 200
    conn.close()
