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
