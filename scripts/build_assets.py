"""Build the app image: `build/app/` holds exactly the files that go onto the board.

    python scripts/build_assets.py [--src app] [--out build/app] [--mpy DIR] [--quiet]

Also brings the style of the device's own pages (the setup portal, "Saved", recovery, welcome)
up to date: `frozen/device/style.css` minified into the `_STYLE` constant of
`frozen/device/portal.py` (`device_style`), which sends it inline from flash.

From `app/` (what a user edits):

- `*.py` (main.py, ui/...) are copied as they are;
- `static/*` (CSS, JS, static pages such as the dashboard `static/index.html`) are gzipped
  (level 9, a 1 KB window: `WBITS`, reproducible) to `static/<name>.gz`; only the compressed
  copy is shipped, and the server sends it with ``Content-Encoding: gzip`` (decompressed on the
  way, with that window, to a client that does not take gzip: app/ui/plain.py). A stylesheet (`*.css`) is minified first, and
  its ``@import "device/style.css";`` replaced by that file of `frozen/`: the look every page
  of the device shares (`app_css`);
- `templates/*.html` (the templates of your own routes) are compiled by utemplate into Python
  generator modules (`templates/NAME_html.py`), so the board needs no template engine.

In the static pages and in templates, a reference ``@static/app.css@`` becomes
``/static/app.css?v=<hash of its content>``, which lets the browser cache the asset for a year and
still fetch a new one after an update. In `*.py` (pages written in Python, such as the login
form after a wrong password) a link ``href="/static/app.css"`` or ``src="/static/..."`` to an
asset of the image gets the same query, so that every page names one URL per asset; the source
keeps the plain link, which works unbuilt (`make mount`), only revalidated each time.

`--in-place` writes only the generated files (static/*.gz, the compiled templates) into the
source directory itself, beside their sources, so that it can be mounted on a board as it is
(`make mount`); they are ignored by git and by the next build.

The gzipped total (assets plus the compressed template text) must stay under `BUDGET`; the
build fails otherwise. `--mpy DIR` also writes the image compiled by mpy-cross to DIR (what a
small board such as the ESP8266 should run). Files are only rewritten when their content
changes, and files the build no longer produces are removed from the output.
"""
import argparse
import hashlib
import io
import os
import re
import struct
import subprocess
import sys
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUDGET = 20 * 1024
BIN = os.path.dirname(sys.executable)


# The compression window of the gzipped assets: 2 ** WBITS bytes (1 KB). A board decompresses
# them for a client that does not take gzip (app/ui/plain.py, its WBITS) and needs a block of
# that size to do it: a 32 KB window, gzip's usual, is more than a small board's heap. It costs
# about 13% more bytes than the usual window (the assets are read in small pieces, so no RAM).
WBITS = 10


def gz(data):
    """`data` gzipped at level 9 with the window of `WBITS`, reproducibly (no name, no time)."""
    c = zlib.compressobj(9, zlib.DEFLATED, -WBITS, 9)
    body = c.compress(data) + c.flush()
    return (b'\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff' + body +
            struct.pack('<II', zlib.crc32(data), len(data) & 0xffffffff))


class Includes:
    """What utemplate's compiler asks for on `{% include "part.html" %}`: that file of the same
    templates directory, its text passed through `rewrite` like the including template's."""

    def __init__(self, directory, rewrite=lambda text: text):
        self.directory = directory
        self.rewrite = rewrite

    def input_open(self, name):
        with open(os.path.join(self.directory, name)) as f:
            return io.StringIO(self.rewrite(f.read()))


def compile_template(source, includes=None):
    """utemplate's compiler, run on the host: template text -> Python module text. `includes`
    (an `Includes`) provides the files that `{% include %}` names."""
    from utemplate import source as usource
    out = io.StringIO()
    usource.Compiler(io.StringIO(source), out, loader=includes).compile()
    return out.getvalue()


def put(path, data):
    """Write `data` (bytes) to `path` atomically (a temporary file renamed into place), only if
    the file does not hold it already (unchanged files keep their time stamps). Returns True if
    it wrote."""
    try:
        with open(path, 'rb') as f:
            if f.read() == data:
                return False
    except OSError:
        pass
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + '.tmp', 'wb') as f:
        f.write(data)
    os.replace(path + '.tmp', path)
    return True


# --- the style of the device's own pages ---------------------------------------------------------

DEVICE_CSS = os.path.join(ROOT, 'frozen', 'device', 'style.css')
PORTAL = os.path.join(ROOT, 'frozen', 'device', 'portal.py')
STYLE_BEGIN = '# --- _STYLE: made by scripts/build_assets.py from style.css (edit that) ---\n'
STYLE_END = '# --- end of _STYLE ---\n'


def minify_css(text):
    """CSS without comments and without the spaces it does not need."""
    text = re.sub(r'/\*.*?\*/', '', text, flags=re.S)
    text = re.sub(r'\s+', ' ', text).strip()
    text = re.sub(r' ?([{};:,>]) ?', r'\1', text)
    return text.replace(';}', '}')


def style_block(css):
    """The source of device.portal's `_STYLE` constant for the stylesheet text `css`: the end
    of the page's title, the minified style and the start of its header, as a bytes literal in
    lines of at most 100 characters."""
    data = '</title><style>' + minify_css(css) + '</style><header><h1>'
    assert "'" not in data and '\\' not in data and data.isascii()
    lines, width = [], 100 - len("          b''")
    for i in range(0, len(data), width):
        lines.append("b'%s'" % data[i:i + width])
    return STYLE_BEGIN + '_STYLE = (' + '\n          '.join(lines) + ')\n' + STYLE_END


def device_style(check=False):
    """Bring device/portal.py's `_STYLE` up to date with device/style.css (the one source of
    the device pages' look). With `check`, change nothing. Returns True if it was up to date."""
    with open(PORTAL) as f:
        source = f.read()
    start, end = source.index(STYLE_BEGIN), source.index(STYLE_END) + len(STYLE_END)
    with open(DEVICE_CSS) as f:
        block = style_block(f.read())
    if source[start:end] == block:
        return True
    if not check:
        put(PORTAL, (source[:start] + block + source[end:]).encode())
    return False


FROZEN = os.path.join(ROOT, 'frozen')
CSS_IMPORT = re.compile(r'@import\s+(?:url\(\s*)?["\']([^"\']+)["\']\s*\)?\s*;')


def app_css(text, name='a stylesheet'):
    """A stylesheet of the app (`text`, the file `name`) as it is shipped: each
    ``@import "device/style.css";`` replaced by that file of `FROZEN` (the stylesheet of the
    boot package's own pages, which the app's pages share), then minified."""
    def inline(m):
        path = os.path.join(FROZEN, m.group(1))
        if '..' in m.group(1).split('/') or not os.path.isfile(path):
            sys.exit('build: %s imports %s, which is not a file of frozen/' % (name, m.group(1)))
        with open(path) as f:
            return f.read()
    return minify_css(CSS_IMPORT.sub(inline, text))


class Image:
    """The files of one output tree: name -> bytes."""

    def __init__(self):
        self.files = {}

    def add(self, name, data):
        self.files[name] = data if isinstance(data, bytes) else data.encode()

    def write(self, out):
        """Write to `out`, touching only changed files and removing stale ones."""
        for name, data in sorted(self.files.items()):
            put(os.path.join(out, name), data)
        for dirpath, dirnames, filenames in os.walk(out, topdown=False):
            for name in filenames:
                rel = os.path.relpath(os.path.join(dirpath, name), out).replace(os.sep, '/')
                if rel not in self.files:
                    os.remove(os.path.join(dirpath, name))
            if dirpath != out and not os.listdir(dirpath):
                os.rmdir(dirpath)


def build(src, out):
    """Build the image of `src` into `out`; returns {asset name: gzipped size}."""
    image, sizes = make_image(src)
    image.write(out)
    return sizes


def build_in_place(src):
    """Write the generated files of the image (static/*.gz, templates/*_html.py and
    templates/__init__.py) into `src` itself, beside their sources, so that `src` as it is can
    be mounted on a board (`make mount`); the rest of `src` is left alone. They are build
    outputs (.gitignore lists them) and the next build ignores them. Returns the sizes."""
    image, sizes = make_image(src)
    for name, data in sorted(image.files.items()):
        if not (name.startswith('static/') and name.endswith('.gz') or
                name.startswith('templates/') and name.endswith('.py')):
            continue
        put(os.path.join(src, name), data)
    return sizes


def make_image(src):
    """(Image of `src`, {asset name: gzipped size})."""
    image = Image()
    sizes = {}
    versions = {}
    pages = {}
    code = {}

    def add_static(rel, data):
        packed = gz(data)
        image.add(rel + '.gz', packed)
        sizes[rel] = len(packed)
        versions[rel] = hashlib.sha1(data).hexdigest()[:10]
    for dirpath, dirnames, filenames in os.walk(src):
        dirnames[:] = sorted(d for d in dirnames if d != '__pycache__' and not d.startswith('.'))
        rel_dir = os.path.relpath(dirpath, src).replace(os.sep, '/')
        for name in sorted(filenames):
            if name.startswith('.'):
                continue
            rel = name if rel_dir == '.' else rel_dir + '/' + name
            if rel.startswith('static/') and name.endswith('.gz') and \
                    os.path.exists(os.path.join(dirpath, name[:-3])):
                continue  # made by build_in_place from its source beside it
            with open(os.path.join(dirpath, name), 'rb') as f:
                data = f.read()
            if rel.startswith('static/'):
                if name.endswith('.css'):
                    data = app_css(data.decode(), rel).encode()
                if name.endswith('.html'):
                    pages[rel] = data  # after the assets: it may name them (@static/...@)
                    continue
                add_static(rel, data)
            elif rel.endswith('.py'):
                code[rel] = data  # after the assets: its pages may link them
    templates = os.path.join(src, 'templates')

    def version(m):
        asset = m.group(1)
        if asset not in versions:
            sys.exit('build: %s refers to a missing asset %s' % (name, asset))
        return '/%s?v=%s' % (asset, versions[asset])

    def rewrite(text):
        return re.sub(r'@(static/[^@\s"]+)@', version, text)
    for name, data in sorted(pages.items()):  # static pages: references made versioned too
        add_static(name, rewrite(data.decode()).encode())

    def link(m):
        asset = m.group(2).decode()
        if asset not in versions:
            return m.group(0)
        return b'%s="/%s?v=%s"' % (m.group(1), asset.encode(), versions[asset].encode())
    for name, data in sorted(code.items()):  # pages written in Python: their links versioned
        image.add(name, re.sub(rb'(href|src)="/(static/[^"?\s]+)"', link, data))
    for name in sorted(os.listdir(templates) if os.path.isdir(templates) else ()):
        if not name.endswith('.html'):
            continue
        with open(os.path.join(templates, name)) as f:
            text = rewrite(f.read())
        sizes['templates/' + name] = len(gz(text.encode()))
        image.add('templates/' + name.replace('.', '_') + '.py',
                  compile_template(text, Includes(templates, rewrite)))
    image.add('templates/__init__.py', b'')
    return image, sizes


def source_name(rel):
    """The source name a .mpy keeps for tracebacks: the module's dotted name (``ui/files.py``:
    ``ui.files``; ``ui/__init__.py``: ``ui``). The board interns it as a name when the module is
    loaded, and the import has interned the dotted name already: a file path would be one name
    more per module, for good (about 30 bytes each, 1.4 KB for the .mpy UI once it listens)."""
    name = rel[:-3].replace('/', '.')
    return name[:-9] if name.endswith('.__init__') else name


def compile_mpy(tree, dest, options=()):
    """mpy-cross every .py of `tree` into `dest` (other files copied); `options`: more
    mpy-cross options (``-O3``: no line numbers and no asserts, less heap once loaded)."""
    image = Image()
    for dirpath, _, filenames in os.walk(tree):
        for name in filenames:
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, tree).replace(os.sep, '/')
            if name.endswith('.py'):
                mpy = os.path.join(dest, rel[:-3] + '.mpy')
                os.makedirs(os.path.dirname(mpy), exist_ok=True)
                subprocess.run([os.path.join(BIN, 'mpy-cross'), '-o', mpy + '.tmp', '-s',
                                source_name(rel)] + list(options) + [path], check=True)
                with open(mpy + '.tmp', 'rb') as f:
                    image.add(rel[:-3] + '.mpy', f.read())
                os.remove(mpy + '.tmp')
            else:
                with open(path, 'rb') as f:
                    image.add(rel, f.read())
    image.write(dest)


def report(sizes):
    total = sum(sizes.values())
    lines = ['  %-22s %6d bytes gzipped' % (name, size) for name, size in sorted(sizes.items())]
    lines.append('  %-22s %6d bytes gzipped (budget %d)' % ('total', total, BUDGET))
    return total, '\n'.join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--src', default=os.path.join(ROOT, 'app'))
    parser.add_argument('--out', default=os.path.join(ROOT, 'build', 'app'))
    parser.add_argument('--mpy', help='also write the image compiled to .mpy into this folder')
    parser.add_argument('--in-place', action='store_true',
                        help='write the generated files into --src instead (make mount)')
    parser.add_argument('--quiet', action='store_true')
    args = parser.parse_args(argv)
    device_style()
    if args.in_place:
        sizes = build_in_place(args.src)
        total, text = report(sizes)
        if not args.quiet:
            print('build: compiled templates and gzipped assets written into %s\n%s'
                  % (os.path.relpath(args.src), text))
        return sizes
    sizes = build(args.src, args.out)
    total, text = report(sizes)
    if args.mpy:
        compile_mpy(args.out, args.mpy)
    if not args.quiet:
        print('build: app image in %s%s\n%s' % (
            os.path.relpath(args.out), ' and %s (.mpy)' % os.path.relpath(args.mpy)
            if args.mpy else '', text))
    if total > BUDGET:
        sys.exit('build: the web assets are over the %d-byte budget' % BUDGET)
    return sizes


if __name__ == '__main__':
    main()
