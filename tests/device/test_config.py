# device.config: the settings in RAM (one copy for everyone) and their JSON file. Defaults on a
# missing/corrupt file, an error on a failed read, atomic saves that keep the previous file.
import os

from check import raises
from device import config, configfile, configwrite
from faults import every_step, remove_saved

PATH = 'cfg_under_test.json'


def cleanup():
    remove_saved(PATH)


def write(text, path=PATH):
    with open(path, 'w') as f:
        f.write(text)


def test_missing_file_gives_defaults():
    cleanup()
    cfg = config.load(PATH)
    assert cfg == config.DEFAULTS
    assert cfg['networks'] == [] and cfg['port'] == 80


def test_load_without_a_path_reads_the_file_config_names():
    # one owner of the settings file's name: device.config.PATH (load had its own copy of it)
    write('{"hostname": "named-by-config"}')
    kept, config.PATH = config.PATH, PATH
    try:
        assert configfile.load()['hostname'] == 'named-by-config'
    finally:
        config.PATH = kept
        cleanup()


def test_the_file_module_keeps_to_a_small_table_of_names():
    # device.configfile is loaded for every save: past 17 names (with __name__ and __file__)
    # its names grow into a table of 23, one 368-byte block (64-bit) that a heap in pieces may
    # not have: a settings save after refused uploads at 56wK was then 503 on every retry
    # (test_ui_upload_refusals). 19 names before.
    own = [name for name in dir(configfile) if not name.startswith('__')]
    assert len(own) <= 15, own


def test_a_save_loads_the_writing_alone():
    # device.configwrite is what a save loads (config.save), not device.configfile as well:
    # both were one module (3.3 KB of the .mpy UI's heap at 64wK at a save's peak), now the
    # writing alone is loaded (1.6 KB). Its names too fit the smallest table (above).
    import sys
    from device.launcher import unload
    own = [name for name in dir(configwrite) if not name.startswith('__')]
    assert len(own) <= 15, own
    import device
    cleanup()
    cfg = config.load(PATH)
    unload('device.configfile')
    try:
        config.save(cfg, PATH)
        assert 'device.configfile' not in sys.modules
        assert sys.modules['device.configwrite'] is configwrite
    finally:  # the module the other tests change
        sys.modules['device.configfile'] = device.configfile = configfile
        cleanup()


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


def test_the_file_is_the_settings_json_text_written_in_small_pieces():
    # json.dumps(cfg) needed one free block of the whole text's size (more while it grew): on a
    # board whose heap was in pieces a save then failed (503) for many seconds. The file is
    # written piece by piece, with the same text as before.
    import json
    cleanup()
    cfg = config.load(PATH)
    cfg['networks'] = [{'ssid': 'Caf\u00e9 "1"', 'password': 'p' * 60},
                       {'ssid': 'b', 'password': ''}]
    for i in range(12):
        cfg['pins']['pin%d' % i] = {'pin': i, 'mode': 'pwm', 'invert': i % 2 == 0, 'on': False}
    cfg['extra'] = {'empty': {}, 'none': [], 'nested': [[1, 2.5], {'a': None}]}
    config.save(cfg, PATH)
    with open(PATH) as f:
        text = f.read()
    from faults import PowerCut
    cut = PowerCut(10000)  # counts the changes: an open, each write, a remove, two renames
    assert cut.run(configwrite, configwrite.write, cfg, PATH)
    with open(PATH) as f:
        again = f.read()
    cleanup()
    assert text == again == json.dumps(cfg) and len(text) > 1000
    assert cut.changes - 4 >= len(text) // 300, (cut.changes, len(text))


def test_the_file_is_written_on_a_heap_in_pieces():
    # On MicroPython, every free block 64 bytes at most: the same text is written. Before,
    # the pieces were joined into writes of 192 characters, and each level of nesting was a
    # generator, whose frame is a heap block of its own: the .mpy UI at 64wK then met a
    # MemoryError in the write at every retry of a save (bench/save_heap.py).
    import json
    import sys
    from check import heap_in_pieces, release
    cleanup()
    cfg = config.load(PATH)
    cfg['owner'] = 'pbkdf2-sha256$1000$' + 'a' * 32 + '$' + 'b' * 64
    for i in range(16):
        cfg['pins']['pin%d' % i] = {'pin': i, 'mode': 'pwm', 'invert': i % 2 == 0}
    keep = heap_in_pieces(64) if sys.implementation.name == 'micropython' else None
    try:
        config.save(cfg, PATH)
    finally:
        release(keep)
    with open(PATH) as f:
        text = f.read()
    cleanup()
    assert text == json.dumps(cfg)


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


def test_get_reads_one_key_of_the_current_settings():
    write('{"port": 8080}')
    config.current(PATH + '.other')  # a different file: current() reloads
    assert config.get('port') == 80
    config.current(PATH)
    assert config.get('port') == 8080
    assert config.get('hostname') == 'microdot'
    cleanup()



# --- one copy in RAM ---------------------------------------------------------------------------

def test_current_is_one_shared_copy_and_save_writes_it():
    cleanup()
    write('{"hostname": "kitchen", "networks": [{"ssid": "home", "password": "pw"}]}')
    cfg = config.current(PATH + '.x')
    cfg = config.current(PATH)
    assert config.current() is cfg  # the runtime, the reconnect loop and the UI share it
    config.forget_network(config.current(), 'home')
    assert cfg['networks'] == []  # seen at once by every holder of the settings
    config.add_network(cfg, 'cafe', '')
    config.save()
    assert config.load(PATH)['networks'] == [{'ssid': 'cafe', 'password': ''}]
    assert config.load(PATH)['hostname'] == 'kitchen'
    cleanup()


def test_overrides_are_used_but_never_saved():
    cleanup()
    write('{"port": 8080}')
    config.current(PATH + '.x')
    cfg = config.current(PATH)
    config.override(port=5001, dns_port=5353, extra_run_only=1)
    assert cfg['port'] == 5001 and cfg['extra_run_only'] == 1
    cfg['hostname'] = 'saved'
    config.save()
    saved = config.load(PATH)
    cleanup()
    assert saved['port'] == 8080 and saved['dns_port'] == 53 and saved['hostname'] == 'saved'
    assert 'extra_run_only' not in saved
    assert cfg['port'] == 5001  # still in force in RAM


def test_settings_with_overrides_are_saved_on_a_heap_in_pieces():
    # The overridden keys (a host run's ports) were saved from a copy of the settings: one
    # block of the whole table (272 B with 17 entries, 64-bit), which a heap in pieces may not
    # have (the .mpy UI at 64wK: a real save's MemoryError in bench/save_heap.py). Now their
    # values trade places in the settings themselves for the write.
    import json
    import sys
    from check import heap_in_pieces, release
    cleanup()
    write(json.dumps({'port': 8080}))
    config.current(PATH + '.x')
    cfg = config.current(PATH)
    config.override(port=5001, extra_run_only=1)
    cfg['hostname'] = 'saved'
    keep = heap_in_pieces(64) if sys.implementation.name == 'micropython' else None
    try:
        config.save()
    finally:
        release(keep)
    saved = config.load(PATH)
    cleanup()
    assert saved['port'] == 8080 and saved['hostname'] == 'saved'
    assert 'extra_run_only' not in saved
    assert cfg['port'] == 5001 and cfg['extra_run_only'] == 1  # still in force in RAM
    config.current(PATH + '.x')  # (the overrides go with these settings)


def test_save_keeps_the_previous_file_beside_the_new_one():
    cleanup()
    write('{"hostname": "first"}')
    cfg = config.load(PATH)
    cfg['hostname'] = 'second'
    config.save(cfg, PATH)
    assert config.load(PATH)['hostname'] == 'second'
    assert config.load(PATH + '.bak')['hostname'] == 'first'
    assert PATH + '.tmp' not in os.listdir('.')
    cleanup()


def test_corrupt_file_falls_back_to_the_kept_one():
    cleanup()
    write('{"hostname": "last-good"}', PATH + '.bak')
    write('{"hostname": "torn')
    assert config.load(PATH)['hostname'] == 'last-good'
    cleanup()


def test_change_saves_or_undoes_the_edit():
    cleanup()
    cfg = config.load(PATH)
    config.add_network(cfg, 'home', 'pw')
    config.save(cfg, PATH)
    config.current(PATH + '.x')
    cfg = config.current(PATH)
    assert config.change(cfg, config.add_network, 'cafe', '') is None
    assert [n['ssid'] for n in config.load(PATH)['networks']] == ['cafe', 'home']
    assert config.change(cfg, config.forget_network, 'nope') is False
    with raises(MemoryError):  # the save fails: RAM keeps what the file has
        with_open(Failing(MemoryError()).open,
                  lambda: config.change(cfg, config.forget_network, 'home'))
    assert [n['ssid'] for n in cfg['networks']] == ['cafe', 'home']
    assert [n['ssid'] for n in config.load(PATH)['networks']] == ['cafe', 'home']
    cleanup()


def test_change_undoes_set_saved_of_an_overridden_key_too():
    cleanup()
    write('{"port": 8080}')
    config.current(PATH + '.x')
    cfg = config.current(PATH)
    config.override(port=5001)
    with raises(MemoryError):
        with_open(Failing(MemoryError()).open,
                  lambda: config.change(cfg, lambda c: config.set_saved('port', 9000)))
    assert config.saved('port') == 8080 and cfg['port'] == 5001
    config.change(cfg, lambda c: config.set_saved('port', 9000))
    assert config.load(PATH)['port'] == 9000 and cfg['port'] == 5001
    cleanup()


# --- a failed read is an error, never defaults ---------------------------------------------------

class Failing:
    """`open` that raises `exc` (a transient failure of the filesystem or the heap)."""

    def __init__(self, exc):
        self.exc = exc

    def open(self, path, mode='r'):
        raise self.exc


def with_open(fake, fn):
    configfile.open = configwrite.open = fake  # reading and writing
    try:
        return fn()
    finally:
        del configfile.open
        del configwrite.open


def test_memory_error_while_reading_is_raised_not_defaults():
    cleanup()
    write('{"hostname": "kitchen"}')
    with raises(MemoryError):
        with_open(Failing(MemoryError()).open, lambda: config.load(PATH))
    cleanup()


def test_io_error_while_reading_is_raised_not_defaults():
    cleanup()
    write('{"hostname": "kitchen"}')
    with raises(OSError):
        with_open(Failing(OSError(5)).open, lambda: config.load(PATH))  # EIO
    cleanup()


class FailingParser:
    """`json` whose `load` raises `exc` once the file is open: the heap or the filesystem
    failing while the settings are read and parsed (where a board's heap most often runs out)."""

    def __init__(self, exc):
        self.exc = exc

    def load(self, f):
        raise self.exc


def test_a_failure_while_the_file_is_parsed_is_raised_not_defaults():
    cleanup()
    write('{"hostname": "kitchen"}')
    kept = configfile.json
    try:
        for exc in (MemoryError(), OSError(5)):  # EIO
            configfile.json = FailingParser(exc)
            with raises(type(exc)):
                config.load(PATH)
    finally:
        configfile.json = kept
        cleanup()


def test_current_raises_until_the_file_can_be_read():
    cleanup()
    write('{"hostname": "kitchen"}')
    config.current(PATH + '.x')
    with raises(MemoryError):
        with_open(Failing(MemoryError()).open, lambda: config.current(PATH))
    assert config.current()['hostname'] == 'kitchen'  # the next call reads it
    cleanup()


# --- a save cut short at every step leaves the old or the new settings ---------------------------

def settings(name):
    cfg = config.defaults()
    cfg['hostname'] = name
    return cfg


def test_a_save_cut_at_every_step_leaves_the_old_or_the_new_settings():
    steps = 0
    for first in every_step(20):
        for second in every_step(20):
            cleanup()
            write('{"hostname": "old"}')
            first.run(configwrite, config.save, settings('new1'), PATH)
            after1 = config.load(PATH)['hostname']  # the board restarts
            assert after1 in ('old', 'new1'), (first.limit, after1)
            done2 = second.run(configwrite, config.save, settings('new2'), PATH)
            after2 = config.load(PATH)['hostname']  # and again, after a second cut save
            assert after2 in (after1, 'new2'), (first.limit, second.limit, after1, after2)
            if done2:
                assert after2 == 'new2'
                assert config.load(PATH + '.bak')['hostname'] == after1
            else:
                steps += 1
    cleanup()
    assert steps >= 10  # every step of both saves was cut at least once
