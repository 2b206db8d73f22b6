"""Writing the settings file of ``device.config`` atomically (``config.save``), loaded for a save
and dropped after it (the runtime after boot, the web UI after its request): the JSON text goes
to ``path + '.tmp'`` in small pieces, the old file becomes ``path + '.bak'``, then the temp file
is renamed into place. A module of its own, apart from reading and checking the file
(``device.configfile``): at a save's peak of heap, on a board running the boot package as
``.mpy``, only this code is loaded (the web UI's save of the settings page at 64wK: 3.3 KB for
both, about 1.6 KB for this one).
"""
import json
import os


def _unless_missing(op, *args):
    """Run a filesystem operation; a missing file is fine, any other error is raised."""
    try:
        op(*args)
    except OSError as exc:
        if exc.errno != 2:  # ENOENT
            raise


def _finish(path):
    """Complete a save that was cut short between its two renames (only the new settings, in
    the temp file, and the kept ``.bak`` are left), so that the next save cannot lose them."""
    try:
        os.stat(path)
        return
    except OSError as exc:
        if exc.errno != 2:  # ENOENT
            raise
    try:
        with open(path + '.tmp') as f:
            whole = isinstance(json.load(f), dict)  # renamed only once complete
    except OSError as exc:
        if exc.errno != 2:  # ENOENT: no temp file, nothing to finish
            raise
        return
    except ValueError:  # cut short while it was written: the old file stays
        return
    if whole:
        os.rename(path + '.tmp', path)


def _walk(value, add):
    # the JSON text of `value` through add(str), a key or a scalar at a time: plain calls, not
    # generators (a generator's frame is a heap block of its own, one per level of nesting,
    # about 150 B each on the 64-bit unix port)
    if isinstance(value, dict):
        sep = '{'
        for key in value:
            add(sep)
            add(json.dumps(key))
            add(': ')
            _walk(value[key], add)
            sep = ', '
        add('}' if sep == ', ' else '{}')
    elif isinstance(value, list):
        sep = '['
        for item in value:
            add(sep)
            _walk(item, add)
            sep = ', '
        add(']' if sep == ', ' else '[]')
    else:
        add(json.dumps(value))


def dump(value, emit, size=64):
    """Give the JSON text of `value` (the same as ``json.dumps``) to ``emit(str)`` in pieces of
    at most `size` characters (a longer key or scalar alone): a board whose heap is in pieces
    still has blocks of that size, when the whole text in one string (which grows as it is
    built) needs a free block larger than any left (a save then met a MemoryError for many
    seconds after a few uploads). The settings file is written this way, and the web UI's
    answer to a save is made this way (``ui.settings.answer``)."""
    out = ['']

    def add(piece):
        if len(out[0]) + len(piece) > size and out[0]:
            emit(out[0])
            out[0] = ''
        out[0] += piece
    _walk(value, add)
    if out[0]:
        emit(out[0])


def write(cfg, path):
    """Write `cfg` to `path` atomically, keeping the previous file as ``path + '.bak'`` (what
    ``config.save`` does with the values to save). Raises on failure; the old settings are then
    still in place."""
    _finish(path)
    tmp, bak = path + '.tmp', path + '.bak'
    try:
        with open(tmp, 'w') as f:
            dump(cfg, f.write)
    except MemoryError:  # half-way: no file is changed (the settings file never was)
        _unless_missing(os.remove, tmp)
        raise
    _unless_missing(os.remove, bak)  # FAT cannot rename over a file: make room first
    _unless_missing(os.rename, path, bak)
    os.rename(tmp, path)
