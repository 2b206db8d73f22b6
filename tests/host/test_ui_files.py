"""Deleting files from the device web UI (``DELETE /api/files?path=``, app/ui/files.py) and the
upload limit it states, served as `make run` serves it, in a temporary board filesystem."""
import os

import pytest


def delete(app, path, auth=True):
    return app.json('/api/files?path=' + path, method='DELETE', auth=auth)


def test_status_states_the_upload_limit(app):
    assert app.json('/api/status')[1]['upload_max'] == 128 * 1024


def test_a_file_is_deleted_by_the_owner_only(app):
    assert app.upload([('old.txt', b'bye')], folder='lib')[0] == 201
    assert delete(app, 'lib/old.txt', auth=False)[0] == 401
    assert os.path.exists(os.path.join(app.fs, 'lib', 'old.txt'))
    assert delete(app, 'lib/old.txt') == (200, {'deleted': 'lib/old.txt'})
    assert not os.path.exists(os.path.join(app.fs, 'lib', 'old.txt'))
    assert delete(app, 'lib/old.txt')[0] == 404
    app.wait_for('deleted lib/old.txt')  # the console line may come after the answer


def test_a_folder_is_deleted_only_when_empty(app):
    assert app.upload([('a.txt', b'a')], folder='tmp')[0] == 201
    status, body = delete(app, 'tmp')
    assert status == 409 and 'not empty' in body['error']
    assert delete(app, 'tmp/a.txt')[0] == 200
    assert delete(app, 'tmp')[0] == 200
    assert not os.path.exists(os.path.join(app.fs, 'tmp'))


@pytest.mark.parametrize('path', ['config.json', 'config.json.bak', '../etc', '.image', '',
                                  'lib/../../x'])
def test_the_settings_and_paths_outside_the_app_cannot_be_deleted(app, path):
    status, body = delete(app, path)
    assert status == 400 and body['error']
    assert os.path.exists(os.path.join(app.fs, 'config.json'))


def test_the_listing_marks_the_runtimes_own_files_as_kept(app):
    assert app.upload([('notes.txt', b'n')])[0] == 201
    status, files = app.json('/api/files')
    assert status == 200
    by_name = {f['name']: f for f in files}
    assert by_name['config.json']['kept'] is True  # delete refuses it (above)
    assert 'kept' not in by_name['notes.txt'] and 'kept' not in by_name['main.py']
    assert delete(app, 'notes.txt')[0] == 200


URLCODEC_SNIPPET = r'''
import sys, asyncio
sys.path[:0] = [%r, %r, %r]
import ui
from microdot import Request  # noqa: F401 (the framework, as loaded before any request)
from microdot import urlcodec  # noqa: F401 (what a query string or a form loads)


class Fake:
    method = 'DELETE'
    path = '/api/files'
    args = {}


print(asyncio.run(ui.api(Fake(), 'files'))[1], 'microdot.urlcodec' in sys.modules)
'''


def test_the_query_strings_module_is_dropped_after_an_api_request():
    # on the unix port: microdot.urlcodec, loaded by a request's query string (a delete's
    # ?path=) or a form, is dropped after the API's request: left loaded, it kept 1.6 KB of
    # the .mpy UI's heap at 64wK for good, and in hostile_suite's upload cases (deletes with
    # ?path=) that made the uploads 503 and left 14 KB free (bench/save_heap.py, 66wK; 22.8 KB
    # with it dropped)
    from test_ui_live import run
    assert run(URLCODEC_SNIPPET) == ['400 False']
