"""Backup, restore and factory reset of the settings (app/ui/backup.py), served as `make run`
serves them (scripts/run_host.py) in a temporary board filesystem."""
import json
import os
import time

import pytest

from test_app import HostApp


def restore(app, body):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    status, _, answer = app.request('/api/backup', raw, 'POST',
                                    {'Content-Type': 'application/json'})
    return status, json.loads(answer)


def test_a_backup_leaves_secrets_out_and_never_holds_the_owner_hash(app):
    assert app.json('/api/settings', {'ap_password': 'access point pw'})[0] == 200
    status, headers, raw = app.request('/api/backup')
    assert status == 200
    assert 'attachment; filename="settings-microdot-sim.json"' in headers['Content-Disposition']
    data = json.loads(raw)
    assert data['hostname'] == 'microdot-sim' and data['port'] == 80  # the saved port
    assert data['networks'] == [{'ssid': 'SimNet'}]
    assert 'ap_password' not in data and 'owner' not in data
    assert data['pins']['fan'] == {'pin': 4, 'mode': 'pwm'}
    assert b'simulated' not in raw and b'pbkdf2' not in raw


def test_a_backup_with_secrets_has_the_passwords_but_still_not_the_owner_hash(app):
    status, headers, raw = app.request('/api/backup?secrets=1')
    data = json.loads(raw)
    assert data['networks'] == [{'ssid': 'SimNet', 'password': 'simulated'}]
    assert data['ap_password'] == 'access point pw'
    assert 'owner' not in data and b'pbkdf2' not in raw
    assert 'with-secrets' in headers['Content-Disposition']


def test_backup_and_restore_need_the_owner(app):
    assert app.request('/api/backup', auth=False)[0] == 401
    status, _, _ = app.request('/api/backup', b'{"hostname": "evil"}', 'POST',
                               {'Content-Type': 'application/json'}, auth=False)
    assert status == 401 and app.saved()['hostname'] == 'microdot-sim'


def test_a_restore_merges_and_never_wipes_the_saved_wifi(app):
    before = app.saved()
    backup = {'hostname': 'restored', 'networks': [
        {'ssid': 'Cottage', 'password': 'cottage-pw'}, {'ssid': 'NoPassword'},
        {'ssid': 'SimNet', 'password': 'an old one'}],
        'pins': {'lamp': {'pin': 5, 'on': True}, 'safe_mode': 14}, 'retries': 3,
        'owner': 'pbkdf2-sha256$1$00$00', 'colour': 'red'}
    status, answer = restore(app, backup)
    assert status == 200, answer
    assert answer['networks_added'] == ['Cottage'] and answer['ignored'] == ['colour', 'owner']
    cfg = app.saved()
    assert cfg['networks'] == [{'ssid': 'SimNet', 'password': 'simulated'},
                               {'ssid': 'Cottage', 'password': 'cottage-pw'}]
    assert cfg['owner'] == before['owner']  # the owner password stays the one it was
    assert cfg['hostname'] == 'restored' and cfg['retries'] == 3
    assert cfg['pins']['lamp'] == {'pin': 5, 'mode': 'switch', 'invert': False, 'on': True}
    assert cfg['pins']['safe_mode'] == before['pins']['safe_mode']  # the boot package's own
    assert [p['name'] for p in app.json('/api/pins')[1]] == ['lamp']  # at once
    assert app.json('/api/status')[0] == 200  # the owner's credentials still work
    status, _, raw = app.request('/api/backup?secrets=1')
    assert restore(app, dict(json.loads(raw), **{
        'hostname': before['hostname'], 'pins': before['pins']}))[0] == 200


def test_restored_host_names_count_at_once_added_and_removed(app):
    kitchen = {'Host': 'kitchen.example'}
    assert app.request('/api/status', headers=kitchen)[0] == 421
    status, answer = restore(app, {'hosts': ['kitchen.example']})
    assert status == 200 and answer['restored'] == ['hosts'] and answer['restart'] == []
    assert app.request('/api/status', headers=kitchen)[0] == 200
    assert restore(app, {'hosts': []})[0] == 200
    assert app.request('/api/status', headers=kitchen)[0] == 421  # not only after a restart
    assert app.json('/api/settings')[0] == 200


def test_a_restore_names_the_settings_that_count_after_a_restart(app):
    status, answer = restore(app, {'port': 8099, 'retries': 3, 'hostname': 'microdot-sim'})
    assert status == 200 and answer['restart'] == ['port']  # the same name: no change
    assert app.saved()['port'] == 8099
    assert app.json('/api/status')[0] == 200  # still where it was until then
    assert restore(app, {'port': 80})[1]['restart'] == ['port']


def test_a_restored_session_lifetime_counts_for_the_open_session_at_once(tmp_path):
    from test_auth import cookie_of, login
    server = HostApp(tmp_path, config={'session_s': 2}).start()
    try:
        status, headers = login(server)
        assert status == 303
        session = {'Cookie': cookie_of(headers), 'Content-Type': 'application/json'}
        status, _, raw = server.request('/api/backup', b'{"session_s": 3600}', 'POST', session,
                                        auth=False)
        assert status == 200 and json.loads(raw)['restart'] == []
        time.sleep(3)  # past the old lifetime of 2 s
        assert server.request('/api/status', headers=session, auth=False)[0] == 200
    finally:
        server.stop()


def test_a_restored_reconnect_period_counts_at_once(tmp_path):
    server = HostApp(tmp_path, config={'reconnect_s': 3600}).start()
    try:
        server.wait_for("connected to 'SimNet'")
        assert restore(server, {'reconnect_s': 1}) == (200, {
            'restored': ['reconnect_s'], 'networks_added': [], 'ignored': [], 'restart': []})
        with open(os.path.join(server.fs, 'sim.json')) as f:
            world = json.load(f)
        world['up'] = False  # the access point disappears: noticed within a second, not an hour
        with open(os.path.join(server.fs, 'sim.json'), 'w') as f:
            json.dump(world, f)
        server.wait_for('wifi: connection lost, reconnecting', timeout=10)
    finally:
        server.stop()


@pytest.mark.parametrize('body, field', [
    ({'hostname': 'Not Valid'}, 'hostname'),
    ({'port': 'eighty'}, 'port'),
    ({'pins': [1, 2]}, 'pins'),
    ({'pins': {'x': {'pin': 2, 'mode': 'servo'}}}, 'pins'),
    ({'networks': 'home'}, 'networks'),
    ({'networks': [{'ssid': ''}]}, 'networks'),
    ({'retries': 0}, 'retries'),
    ([1, 2], ''),
])
def test_a_bad_backup_is_refused_naming_the_field_and_nothing_changes(app, body, field):
    before = app.saved()
    status, answer = restore(app, body)
    assert status == 400 and answer['field'] == field and answer['error'], answer
    assert app.saved() == before


def test_a_file_that_is_not_json_or_too_large_is_refused(app):
    before = app.saved()
    assert restore(app, b'{not json')[0] == 400
    status, answer = restore(app, b'{"hosts": ["' + b'x' * 9000 + b'"]}')
    assert status == 413 and '8192' in answer['error']
    assert app.saved() == before
    assert app.json('/api/status')[0] == 200


def test_factory_reset_needs_the_confirmation_then_the_board_opens_its_setup_page(app):
    before = app.saved()
    assert app.json('/api/reset', {}, auth=False)[0] == 401
    status, answer = app.json('/api/reset', {'confirm': 'yes'})
    assert status == 400 and 'confirm' in answer['error']
    assert app.saved() == before
    mark = len(app.lines)
    assert app.json('/api/reset', {'confirm': 'reset'}) == (202, {'reset': True,
                                                                 'restarting': True})
    cfg = app.saved()
    assert cfg['networks'] == [] and 'owner' not in cfg and cfg['hostname'] == 'microdot'
    assert cfg['port'] == 80  # the saved port, not the one make run gave this run
    app.wait_for('run: the board reset', after=mark)
    app.wait_for('(mode ap)', after=mark)
    assert os.path.exists(os.path.join(app.fs, 'main.py'))  # the app stays
