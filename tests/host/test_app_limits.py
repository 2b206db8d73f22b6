"""ui.install(app) sets body limits on the UI's routes only (Microdot.route's per-route
limits): the app's own routes keep Microdot's defaults. Before, the UI set
`Request.max_body_length = 1024` for the whole process, and a JSON body over 1 KB posted to a
route of the user's own failed as "400 Invalid JSON"."""
import os
import shutil

import pytest

from test_app import ROOT, HostApp

OWN_ROUTE = '''

@app.post('/api/mine')
async def mine(request):
    """A route of the user's own that takes JSON."""
    return {'size': len(request.body), 'items': len(request.json['items'])}
'''


@pytest.fixture(scope='module')
def own(tmp_path_factory):
    tmp = tmp_path_factory.mktemp('limits')
    src = str(tmp / 'app')
    shutil.copytree(os.path.join(ROOT, 'app'), src)
    with open(os.path.join(src, 'main.py'), 'a') as f:
        f.write(OWN_ROUTE)
    server = HostApp(tmp / 'board', '--app', src).start()
    yield server
    server.stop()


def test_a_json_body_over_1_kb_reaches_the_apps_own_route(own):
    status, answer = own.json('/api/mine', {'items': ['x' * 10] * 300}, 'POST')
    assert status == 200 and answer['items'] == 300 and answer['size'] > 3000


def test_the_apps_own_routes_keep_microdots_size_limit(own):
    status, _, _ = own.request('/api/mine', b'{"items": []}' + b' ' * 20000, 'POST',
                               {'Content-Type': 'application/json'})
    assert status == 413  # Request.max_content_length, 16 KB; the UI's uploads may be 128 KB


def test_the_ui_still_takes_large_uploads_as_a_stream(own):
    data = os.urandom(40 * 1024)
    status, answer = own.upload([('big.bin', data)], folder='data')
    assert status == 201, answer
    with open(os.path.join(own.fs, 'data', 'big.bin'), 'rb') as f:
        assert f.read() == data
