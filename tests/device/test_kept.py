# device.kept: the runtime's own files, which uploads, deletes and restores leave alone, under
# every spelling that names the same file on FAT, and folders of those names.
from device import kept


def fresh(name):
    """Module `name` imported anew (its own defaults: other tests change some), the loaded one
    left in place."""
    import sys
    pkg, _, attr = name.rpartition('.')
    old = sys.modules.pop(name, None)
    try:
        __import__(name)
        return sys.modules[name]
    finally:
        if old is not None:
            sys.modules[name] = old
            setattr(sys.modules[pkg], attr, old)


def test_the_settings_and_the_update_note_are_among_them():
    assert fresh('device.config').PATH in kept.FILES
    assert fresh('device.rollback').FILE in kept.FILES


def test_every_spelling_fat_gives_them_is_covered():
    for path in ('config.json', 'config.json.bak', 'config.json.tmp', 'Config.JSON',
                 'config.json.', 'config.json ', ' config.json', 'ota.json', 'ota.json.tmp',
                 'sim.json', 'config.json.tmp/x.py', 'SIM.JSON/a/b'):
        assert kept.covers(path), path


def test_the_apps_files_of_other_names_or_in_folders_are_not():
    for path in ('main.py', 'lib/config.json', 'data/ota.json', 'config.jsonx', 'config',
                 'myconfig.json', 'static/sim.json', 'ui/files.py'):
        assert not kept.covers(path), path
