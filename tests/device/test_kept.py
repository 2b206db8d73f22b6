# device.kept: the runtime's own files, which uploads, deletes and restores leave alone, under
# every spelling that names the same file on FAT, and folders of those names.
from device import kept


def test_the_settings_and_the_update_note_are_among_them():
    from device import config, rollback
    assert config.PATH in kept.FILES and rollback.FILE in kept.FILES


def test_every_spelling_fat_gives_them_is_covered():
    for path in ('config.json', 'config.json.bak', 'config.json.tmp', 'Config.JSON',
                 'config.json.', 'config.json ', ' config.json', 'ota.json', 'ota.json.tmp',
                 'sim.json', 'config.json.tmp/x.py', 'SIM.JSON/a/b'):
        assert kept.covers(path), path


def test_the_apps_files_of_other_names_or_in_folders_are_not():
    for path in ('main.py', 'lib/config.json', 'data/ota.json', 'config.jsonx', 'config',
                 'myconfig.json', 'static/sim.json', 'ui/files.py'):
        assert not kept.covers(path), path
