"""Check that a MicroPython build really froze our modules (run by `make firmware`).

The build writes the list of frozen modules into its ``frozen_content.c`` (the
``mp_frozen_names`` array). This compares it with what our manifest freezes, as evaluated by the
checkout's own ``tools/manifestfile.py``, and fails with a clear message when any module is
missing: a stale build folder or a manifest the port ignored gives a stock image otherwise.

    python3 scripts/fw_frozen_check.py --micropy DIR --port rp2 --board-dir STAGE \
        --frozen-content BUILD/frozen_content.c frozen/manifest.py
"""
import argparse
import os
import re
import sys


def frozen_names(path):
    """The module names listed in a frozen_content.c (``"name.py\\0"`` entries)."""
    with open(path, encoding='utf-8', errors='replace') as f:
        text = f.read()
    start = text.find('const char mp_frozen_names[]')
    if start < 0:
        raise ValueError('%s has no mp_frozen_names list' % path)
    end = text.index('};', start)
    return [n for n in re.findall(r'"((?:[^"\\]|\\.)*)\\0"', text[start:end]) if n]


def expected_names(micropy, port, board_dir, manifest):
    """Target paths our manifest freezes, per MicroPython's own manifest tool."""
    sys.path.insert(0, os.path.join(micropy, 'tools'))
    import manifestfile  # from the checkout: a build input, run here, not copied

    path_vars = {
        'MPY_DIR': micropy,
        'MPY_LIB_DIR': os.path.join(micropy, 'lib', 'micropython-lib'),
        'PORT_DIR': os.path.join(micropy, 'ports', port),
        'BOARD_DIR': board_dir,
    }
    m = manifestfile.ManifestFile(manifestfile.MODE_FREEZE, path_vars)
    m.execute(os.path.abspath(manifest))
    return [f.target_path for f in m.files()]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--micropy', required=True)
    ap.add_argument('--port', required=True)
    ap.add_argument('--board-dir', required=True)
    ap.add_argument('--frozen-content', required=True)
    ap.add_argument('manifest')
    a = ap.parse_args(argv)
    if not os.path.isfile(a.frozen_content):
        print('error: the build wrote no %s: no frozen modules at all' % a.frozen_content,
              file=sys.stderr)
        return 1
    have = set(frozen_names(a.frozen_content))
    want = expected_names(a.micropy, a.port, a.board_dir, a.manifest)
    missing = [n for n in want if n not in have]
    if not want:
        print('error: %s freezes nothing' % a.manifest, file=sys.stderr)
        return 1
    if missing:
        print('error: the image lacks %d of our %d frozen modules (%s%s); the build did not use '
              'our manifest: remove %s and run make firmware again'
              % (len(missing), len(want), ', '.join(missing[:5]), ', ...' if len(missing) > 5
                 else '', os.path.dirname(a.frozen_content)), file=sys.stderr)
        return 1
    print('frozen check: all %d of our modules are in the image (%d frozen in all)'
          % (len(want), len(have)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
