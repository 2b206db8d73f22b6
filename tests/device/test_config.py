# device.config: the JSON settings file. Defaults on missing/corrupt input, atomic saves.
import os

from check import raises
from device import config

PATH = 'cfg_under_test.json'


def cleanup():
    for name in (PATH, PATH + '.tmp'):
        try:
            os.remove(name)
        except OSError:
            pass


def write(text, path=PATH):
    with open(path, 'w') as f:
        f.write(text)


def test_missing_file_gives_defaults():
    cleanup()
    cfg = config.load(PATH)
    assert cfg == config.DEFAULTS
    assert cfg['networks'] == [] and cfg['port'] == 80


def test_defaults_are_not_shared_between_loads():
    cleanup()
    cfg = config.load(PATH)
    cfg['networks'].append({'ssid': 'x', 'password': ''})
    cfg['pins']['safe_mode'] = 2
    assert config.load(PATH)['networks'] == []
    assert config.DEFAULTS['pins']['safe_mode'] is None


def test_corrupt_json_gives_defaults():
    for text in ('{"port": 8', '', 'null', '[1, 2]', '\xff\xfe garbage', '"just a string"'):
        write(text)
        assert config.load(PATH) == config.DEFAULTS, text
    cleanup()


def test_wrong_types_fall_back_per_key():
    write('{"port": "eighty", "hostname": "kitchen", "retries": true, "networks": {"a": 1},'
          ' "pins": 5}')
    cfg = config.load(PATH)
    cleanup()
    assert cfg['port'] == 80
    assert cfg['hostname'] == 'kitchen'
    assert cfg['retries'] == 2
    assert cfg['networks'] == []
    assert cfg['pins'] == config.DEFAULTS['pins']


def test_invalid_network_entries_are_dropped():
    write('{"networks": [{"ssid": "home", "password": "pw"}, {"ssid": ""}, {"password": "x"},'
          ' "str", {"ssid": "open"}]}')
    cfg = config.load(PATH)
    cleanup()
    assert config.networks(cfg) == [('home', 'pw'), ('open', '')]


def test_save_then_load_round_trips():
    cleanup()
    cfg = config.load(PATH)
    cfg['hostname'] = 'garden'
    cfg['pins']['safe_mode'] = 0
    cfg['extra'] = {'app': 'keeps its own keys'}
    config.save(cfg, PATH)
    again = config.load(PATH)
    cleanup()
    assert again == cfg


def test_save_replaces_existing_file_and_leaves_no_temp():
    cleanup()
    write('{"hostname": "old"}')
    cfg = config.load(PATH)
    cfg['hostname'] = 'new'
    config.save(cfg, PATH)
    names = os.listdir('.')
    assert config.load(PATH)['hostname'] == 'new'
    cleanup()
    assert PATH + '.tmp' not in names


def test_interrupted_save_recovers_from_temp_file():
    # A power cut between removing the old file and the rename leaves only the temp file.
    cleanup()
    write('{"hostname": "from-temp"}', PATH + '.tmp')
    assert config.load(PATH)['hostname'] == 'from-temp'
    cleanup()


def test_add_network_puts_newest_first_and_replaces():
    cfg = config.defaults()
    config.add_network(cfg, 'a', '1')
    config.add_network(cfg, 'b', '2')
    config.add_network(cfg, 'a', '3')
    assert config.networks(cfg) == [('a', '3'), ('b', '2')]


def test_add_network_rejects_bad_input():
    cfg = config.defaults()
    with raises(ValueError):
        config.add_network(cfg, '', 'pw')
    with raises(ValueError):
        config.add_network(cfg, 'x' * 33, 'pw')
    with raises(ValueError):
        config.add_network(cfg, 'ok', None)
    assert cfg['networks'] == []


def test_forget_network():
    cfg = config.defaults()
    config.add_network(cfg, 'a', '1')
    assert config.forget_network(cfg, 'a') is True
    assert config.forget_network(cfg, 'a') is False
    assert cfg['networks'] == []


def test_get_reads_one_key():
    write('{"port": 8080}')
    assert config.get('port', PATH) == 8080
    assert config.get('hostname', PATH) == 'microdot'
    cleanup()
