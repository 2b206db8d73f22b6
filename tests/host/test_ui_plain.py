"""The device UI's pages and assets for a client that does not take gzip (app/ui/plain.py), with
real clients: curl as a user types it (no ``--compressed``: the file as it is) and with
``--compressed`` (gzip, decoded by curl), Python's urllib (``Accept-Encoding: identity``), and the
ESP8266 profile, where the decompression's heap (a 1 KB window) must fit or be a clean 503.
The build stores the assets gzipped only, with that window (scripts/build_assets.py WBITS)."""
import gzip
import os
import re
import subprocess
import sys
import zlib

import pytest

from test_app import PASSWORD, ROOT, HostApp

sys.path.insert(0, os.path.join(ROOT, 'scripts'))
import build_assets  # noqa: E402


def source(name):
    """The file the build gzipped for static/`name`: for a page, its links made versioned."""
    image = build_assets.make_image(os.path.join(ROOT, 'app'))[0]
    return gzip.decompress(image.files['static/' + name + '.gz'])


def curl(app, path, *options):
    """(status, headers {lower name: value}, body) of `curl -s` as a user types it."""
    dump = [] if '-I' in options else ['-D', '-']  # -I prints the head itself
    done = subprocess.run(['curl', '-s', '-u', 'admin:' + PASSWORD] + dump + list(options) +
                          [app.url + path], capture_output=True, timeout=30)
    assert done.returncode == 0, done.stderr
    head, _, body = done.stdout.partition(b'\r\n\r\n')
    lines = head.decode().split('\r\n')
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(':')
        headers[name.strip().lower()] = value.strip()
    return int(lines[0].split()[1]), headers, body


@pytest.mark.parametrize('path,name', [('/static/app.js', 'app.js'), ('/', 'index.html'),
                                       ('/static/app.css?v=1', 'app.css'),
                                       ('/login', 'login.html')])
def test_curl_without_compressed_gets_the_file_as_it_is(app, path, name):
    status, headers, body = curl(app, path)
    assert status == 200 and 'content-encoding' not in headers
    assert body == source(name) and int(headers['content-length']) == len(body)
    assert headers['vary'] == 'Accept-Encoding' and headers['etag'].endswith('-p"')


def test_curl_compressed_still_gets_gzip_and_its_own_etag(app):
    status, plain, _ = curl(app, '/static/app.js')
    status, headers, body = curl(app, '/static/app.js', '--compressed')
    assert status == 200 and headers['content-encoding'] == 'gzip'
    assert body == source('app.js')  # decoded by curl
    assert headers['etag'] != plain['etag']


@pytest.mark.parametrize('accept,plain', [
    ('identity', True), ('gzip;q=0, identity', True), ('br', True), ('GZIP;Q=0.0', True),
    ('gzip', False), ('gzip, deflate, br, zstd', False), ('*', False), ('x-gzip', False),
    ('br;q=0, gzip;q=0.5', False), ('*;q=0', True), ('gzip;q=nonsense', False),
    (';;,, ;q=', True), ('gzip;q=0, *', True), ('x' * 2000, True)])
def test_accept_encoding_decides(app, accept, plain):
    status, headers, body = app.request('/static/app.css', headers={'Accept-Encoding': accept})
    assert status == 200
    assert headers.get('Content-Encoding') == (None if plain else 'gzip'), accept
    assert (body if plain else gzip.decompress(body)) == source('app.css')


def test_urllib_asks_for_identity_and_gets_the_page_then_a_304(app):
    status, headers, body = app.request('/')  # Accept-Encoding: identity (http.client)
    assert status == 200 and 'Content-Encoding' not in headers and body == source('index.html')
    assert app.request('/', headers={'If-None-Match': headers['ETag']})[0] == 304
    gz = app.request('/', headers={'Accept-Encoding': 'gzip'})[1]['ETag']
    assert app.request('/', headers={'If-None-Match': gz})[0] == 200  # not this representation


def test_head_states_the_plain_length_and_sends_no_body(app):
    status, headers, body = curl(app, '/static/settings.js', '-I')
    assert status == 200 and body == b'' and 'content-encoding' not in headers
    assert int(headers['content-length']) == len(source('settings.js'))


def test_the_build_compresses_with_the_window_the_board_decompresses_with():
    with open(os.path.join(ROOT, 'app', 'ui', 'plain.py')) as f:
        wbits = int(re.search(r'^WBITS = (\d+)$', f.read(), re.M).group(1))
    assert build_assets.WBITS == wbits
    packed = build_assets.gz(source('app.js'))
    d = zlib.decompressobj(-wbits)  # the raw stream needs no more than that window
    assert d.decompress(packed[10:-8]) == source('app.js')


def test_on_the_esp8266_profile_a_plain_asset_is_whole_never_cut_off(tmp_path):
    """56wK, frozen/ in ROMFS, 3 connections: each asset to curl is whole, as it is (or, when
    the board has no heap for the decompressor at that moment, gzipped as before: curl shows
    the header); never cut off, never a traceback."""
    server = HostApp(tmp_path, '--rom', '--heapsize', '56wK', '--max-connections', '3').start()
    try:
        plain = 0
        for _ in range(3):
            for name in ('app.js', 'app.css', 'settings.js', 'firmware.js'):
                status, headers, body = curl(server, '/static/' + name)
                assert status in (200, 503), (name, status, server.output)
                if status == 200 and 'content-encoding' in headers:
                    body = gzip.decompress(body)
                else:
                    plain += status == 200
                assert status == 503 or body == source(name), (name, len(body), server.output)
        assert plain, server.output  # a fresh board has the heap for it
        assert curl(server, '/static/app.css', '--compressed')[0] == 200
        assert 'Traceback' not in server.output
    finally:
        server.stop()
