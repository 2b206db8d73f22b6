"""Replacing the app's files without losing them: uploads land in temporary files, are checked,
then installed together; the files they replace are kept as the previous version, which the
launcher puts back when the new app fails to import (and the recovery page on request)::

    from device import install
    if not install.begin():              # one upload at a time
        ...                              # answer 409
    try:
        tmp = install.temp()             # a new, unique temporary file
        ...                              # write the upload into it
        problem = install.check(tmp, 'main.py')   # a .py that does not compile: the error text
        install.install([(tmp, 'main.py')])       # all files or none, even across a power cut
    finally:
        install.discard([tmp])           # whatever was not installed
        install.end()

    from device import undo
    undo.restore()                       # the previous version back (['main.py'])

On the filesystem (dot names: hidden from the UI's file list and refused as upload names):

- ``.upload/``: temporary files (``.upload/<n>``) and ``.upload/plan``, the renames of an
  install in progress; ``recover()`` (at boot) finishes an install cut short after its plan was
  written and removes the temporary files of uploads that never completed.
- ``.prev/``: the previous version of each file replaced, under the same relative path;
  ``.prev/.added/``: an empty file for each file the uploads since added (there was none of that
  name), under its path, and ``<folder>/.dir`` for each folder they created;
  ``.prev/.untested``: the installed files have not been imported successfully since
  (``device.undo.started()`` clears it). While it is there, a second upload keeps the versions already
  saved (those are known to have worked); otherwise each install starts a new previous
  version.

A failed or aborted upload never touches the installed files: they are only ever replaced by a
rename of a complete, checked temporary file. Restoring the previous version also removes the
files the uploads since added, so the app's files are exactly as they were.

Putting the previous version back, and what the launcher asks about it, is ``device.undo``: an
upload loads this module alone (its code, and its names in a table of 29 entries, not 37).
"""
import os

from device.launcher import PREVIOUS as PREV
from device.launcher import UPLOADS as UP
from device.launcher import exists

PLAN = UP + '/plan'
UNTESTED = PREV + '/.untested'  # a dot name: no uploaded file can have it
ADDED = PREV + '/.added'  # markers of the files added since the previous version
COMPILE_FACTOR = 8  # heap needed to compile a .py, in multiples of its size (a rough bound)

_busy = False
_count = 0


def is_dir(path):
    """True if `path` is a folder."""
    try:
        return os.stat(path)[0] & 0x4000 != 0
    except OSError:
        return False


def mkdirs(path):
    """Create the folders of file `path`."""
    parts = path.split('/')[:-1]
    for i in range(len(parts)):
        d = '/'.join(parts[:i + 1])
        if not is_dir(d):
            os.mkdir(d)


def files(folder, prefix=''):
    """The files under `folder`, as paths relative to it."""
    out = []
    try:
        names = os.listdir(folder)
    except OSError:
        return out
    for name in names:
        if is_dir(folder + '/' + name):
            out.extend(files(folder + '/' + name, prefix + name + '/'))
        else:
            out.append(prefix + name)
    return out


def begin():
    """Claim the one upload slot: False if another upload is in progress."""
    global _busy
    if _busy:
        return False
    _busy = True
    return True


def busy():
    """True while an upload holds the slot (this module must then stay loaded)."""
    return _busy


def end():
    """Release the upload slot."""
    global _busy
    _busy = False


def temp():
    """A new, unique temporary file name in ``.upload/`` (the folder is created)."""
    global _count
    if not is_dir(UP):
        os.mkdir(UP)
    while True:  # a name no file has (leftovers of a cut upload are removed at boot, too)
        _count += 1
        path = '%s/%d' % (UP, _count)
        if not exists(path):
            return path


def discard(temps):
    """Remove temporary files (those that were not installed): paths, or the ``(temporary file,
    target)`` pairs `install` takes."""
    for path in temps:
        try:
            os.remove(path if isinstance(path, str) else path[0])
        except OSError:
            pass


def check(path, name):
    """None if the file at `path`, to be installed as `name`, may replace the old one; else the
    reason as text. A ``.py`` file must compile (a syntax check: nothing is run). Compiling
    takes the source and several times its size in heap: where the heap cannot afford that
    (less than `COMPILE_FACTOR` times the file's size free, or a MemoryError), or the port has
    no ``compile()``, the file is installed unchecked, and the kept previous version is the
    safety net (the launcher restores it if the new app fails to import)."""
    if not name.endswith('.py'):
        return None
    import gc
    gc.collect()
    if hasattr(gc, 'mem_free') and gc.mem_free() < COMPILE_FACTOR * os.stat(path)[6]:
        print('install: not enough heap to syntax-check', name)
        return None
    try:
        with open(path) as f:
            source = f.read()
        compile(source, name, 'exec')
    except MemoryError:
        return None
    except NameError:  # a build without compile()
        return None
    except (SyntaxError, ValueError) as exc:  # ValueError: not UTF-8 (UnicodeError)
        return _syntax_error(exc, name)
    return None


def _syntax_error(exc, name):
    """'main.py, line 3: SyntaxError: invalid syntax' (MicroPython's SyntaxError has no lineno:
    the line is in its traceback)."""
    from device.launcher import describe
    text = describe(exc)
    line = getattr(exc, 'lineno', None)
    if line is None:
        mark = 'File "%s", line ' % name
        at = text.rfind(mark)
        if at >= 0:
            line = text[at + len(mark):].split('\n')[0]
    return '%s, line %s: %s' % (name, line or '?', text.strip().split('\n')[-1])


def install(pairs, failed=False):
    """Move each ``(temporary file, target)`` into place, the files they replace into
    ``.prev/``, and mark the result untested. `failed`: the installed app is known not to work
    (the recovery page's upload), so the version kept stays kept, as while untested. The list of
    renames is written first, so a power cut midway is finished by ``recover()``; an error
    raises (no temporary file is lost)."""
    with open(PLAN, 'w') as f:
        for tmp, target in pairs:
            f.write('%s\t%s\n' % (tmp, target))
        f.write('end\n')
    _apply(pairs, failed)


def _apply(pairs, failed=False):
    if not exists(UNTESTED):
        if not failed:  # the installed files have worked: they become the previous version
            for name in files(PREV):
                os.remove(PREV + '/' + name)
        mkdirs(UNTESTED)
        with open(UNTESTED, 'w') as f:
            f.write('the files installed last have not been imported yet\n')
    for tmp, target in pairs:
        if not exists(tmp):  # done before the cut
            continue
        _mkdirs_marked(target)
        kept = PREV + '/' + target
        added = ADDED + '/' + target
        if exists(target):
            if exists(kept) or exists(added):  # a version that worked is kept, or none was
                os.remove(target)
            else:
                mkdirs(kept)
                os.rename(target, kept)
        elif not exists(kept):  # a new file: marked first, so that undo.restore() removes it
            _mark(added)
        os.rename(tmp, target)
    os.remove(PLAN)


def _mark(path):
    mkdirs(path)
    with open(path, 'w'):
        pass


def _mkdirs_marked(path):
    """Create the folders of file `path`, each marked as added first (undo.restore removes it)."""
    parts = path.split('/')[:-1]
    for i in range(len(parts)):
        d = '/'.join(parts[:i + 1])
        if not is_dir(d):
            _mark(ADDED + '/' + d + '/.dir')
            os.mkdir(d)


def recover():
    """At boot: finish an install whose plan was complete, and remove temporary files left by
    uploads that were cut short. Returns the targets installed now ([] usually)."""
    pairs = None
    try:
        with open(PLAN) as f:
            lines = f.read().split('\n')
        if 'end' in lines:
            pairs = [line.split('\t') for line in lines[:lines.index('end')]]
    except OSError:
        pass
    if pairs:
        _apply(pairs)
    for name in files(UP):
        os.remove(UP + '/' + name)
    try:
        os.rmdir(UP)  # (a boot without it does not even load this module)
    except OSError:
        pass
    return [target for _, target in pairs or ()]
