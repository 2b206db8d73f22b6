"""The previous version of the app that uploads keep (``device.install``): whether the files
installed last are untested, what is kept and added, and putting it back (`restore`). Used by the
launcher (``device.appload``: `started` after the app imported, `restore` if a new one fails) and
the recovery page (``device.fix``); an upload never loads it.
"""
import os

from device.install import ADDED, PREV, UNTESTED, files, mkdirs
from device.launcher import exists


def _remove(path):
    try:
        os.remove(path)
    except OSError as exc:
        if exc.errno != 2:  # ENOENT
            raise


def _replace(src, dst):
    """Rename `src` over `dst` (FAT refuses to rename over a file: remove it first there)."""
    try:
        os.rename(src, dst)
    except OSError:
        if not exists(dst):
            raise
        os.remove(dst)
        os.rename(src, dst)


def previous():
    """The files of the kept previous version (relative paths)."""
    return [name for name in files(PREV) if PREV + '/' + name != UNTESTED and
            not (PREV + '/' + name).startswith(ADDED + '/')]


def added():
    """The files added since the previous version (relative paths; ``<folder>/.dir`` for a
    folder): restore() removes them."""
    return files(ADDED)


def untested():
    """True while the files installed last have not been imported successfully."""
    return exists(UNTESTED)


def started():
    """The app imported: the installed files become the version to keep on the next upload."""
    _remove(UNTESTED)


def restore():
    """Put the previous version back: each kept file replaces the current one, and each file
    added since is removed. Returns the names restored or removed. A power cut midway is
    finished by restoring again. The runtime's own files (``device.kept``: uploads
    refuse them, but an older firmware took them) are left as they are."""
    from device.kept import covers
    from device.launcher import unload
    unload('device.kept')  # covers stays here until restore() returns
    names = [name for name in previous() if not covers(name)]
    new = added()
    new.sort(reverse=True)  # a folder's files before the folder
    for name in new:
        if covers(name):
            pass
        elif name.endswith('/.dir'):
            try:
                os.rmdir(name[:-5])
            except OSError:  # gone already, or holds files that are not the upload's
                pass
        else:
            _remove(name)
        _remove(ADDED + '/' + name)  # after the file: a cut between keeps it to remove again
    for name in names:
        mkdirs(name)
        _replace(PREV + '/' + name, name)
    _remove(UNTESTED)
    return names + [name for name in new if not name.endswith('/.dir') and not covers(name)]
