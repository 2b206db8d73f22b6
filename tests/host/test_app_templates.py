"""Templates in apps, used the way a user would: a copy of app/ gets templates/hello.html (which
includes a second template) and a route in main.py that renders it with
`microdot.utemplate.Template`, as docs/extensions.md shows. utemplate's runtime is frozen with the
framework (frozen/utemplate/, copied from the pinned package by the bootstrap), so this must
work under `make run` (scripts/run_host.py: .py, and the ESP8266 profile of `make run-esp8266`:
frozen/ in ROMFS, 56wK heap), on a board booted by the firmware, and with the guide's own
commands (`MICROPYPATH=frozen:.frozen ...`, `PYTHONPATH=frozen python3 ...`), with nothing else
on the path."""
import base64
import gzip
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import urllib.request

import pytest

from support.console import ConsoleProcess
from support.servers import free_port

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, 'scripts'))
import bootstrap  # noqa: E402  scripts/bootstrap.py
import build_assets  # noqa: E402  scripts/build_assets.py

HELLO = '{% args name %}\n{% include "greet.html" name %}<p>Rendered by utemplate.</p>\n'
GREET = '{% args who %}<h1>Hello {{who}}</h1>\n'
ROUTE = '''

@app.get('/hello')
async def hello_page(request):
    return Template('hello.html').render(request.args.get('name', 'world')), \\
        {'Content-Type': 'text/html'}
'''
EXPECTED = '<h1>Hello ada</h1>\n<p>Rendered by utemplate.</p>\n'


def user_app(tmp_path):
    """app/ with the user's template and route added (the directory a user edits)."""
    app = str(tmp_path / 'app')
    shutil.copytree(os.path.join(ROOT, 'app'), app,
                    ignore=shutil.ignore_patterns('__pycache__', '*_html.py'))
    with open(os.path.join(app, 'templates', 'hello.html'), 'w') as f:
        f.write(HELLO)
    with open(os.path.join(app, 'templates', 'greet.html'), 'w') as f:
        f.write(GREET)
    with open(os.path.join(app, 'main.py')) as f:
        main = f.read()
    main = main.replace('import ui\n', 'import ui\nfrom microdot.utemplate import Template\n', 1)
    main = main.replace('\n\ndef main(', ROUTE + '\n\ndef main(', 1)
    assert 'Template(' in main and 'import Template' in main
    with open(os.path.join(app, 'main.py'), 'w') as f:
        f.write(main)
    return app


PASSWORD = 'owner of the board'
AUTH = {'Authorization': 'Basic ' + base64.b64encode(b'admin:' + PASSWORD.encode()).decode()}


def owned_config(**settings):
    """config.json text of a board whose owner password is set (the device UI, and so the
    user's routes beside it, answer its owner only: docs/security.md)."""
    from device import owner
    settings['owner'] = owner.make(PASSWORD)
    return json.dumps(settings)


def get(url, timeout=20, headers=None):
    deadline = time.monotonic() + timeout
    while True:
        try:
            req = urllib.request.Request(url, headers=headers or {})
            with urllib.request.urlopen(req, timeout=5) as r:
                body = r.read()
                if r.headers.get('Content-Encoding') == 'gzip':  # the static dashboard
                    body = gzip.decompress(body)
                return r.status, body.decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


class Run(ConsoleProcess):
    name = 'make run'


@pytest.mark.parametrize('profile', ['py', 'esp8266'])
def test_template_in_app_under_make_run(tmp_path, profile):
    app = user_app(tmp_path)
    port = free_port()
    fs = tmp_path / 'fs'
    fs.mkdir()
    sys.path.insert(0, os.path.join(ROOT, 'scripts'))
    import run_host
    cfg = dict(run_host.FIRST_CONFIG)
    (fs / 'config.json').write_text(owned_config(**cfg))
    options = {'py': [], 'esp8266': ['--rom', '--heapsize', '56wK', '--max-connections', '3']}
    run = Run().launch([sys.executable, os.path.join(ROOT, 'scripts', 'run_host.py'), '--app', app,
                        '--fs', str(tmp_path / 'fs'), '--port', str(port)] + options[profile],
                       cwd=ROOT)
    try:
        run.wait_for('Starting async server', 60)
        status, body = get('http://127.0.0.1:%d/hello?name=ada' % port, headers=AUTH)
        assert (status, body) == (200, EXPECTED), run.output
        status, body = get('http://127.0.0.1:%d/' % port, headers=AUTH)
        assert status == 200 and '/static/app.css?v=' in body  # the dashboard still loads
    finally:
        run.stop()
    assert 'Traceback' not in run.output, run.output
    # The board got the compiled templates, not the engine's sources or the .html files.
    fs = os.listdir(str(tmp_path / 'fs' / 'templates'))
    assert {'hello_html.' + ('py' if profile == 'py' else 'mpy')} <= set(fs)
    assert 'hello.html' not in fs


def test_template_in_app_on_a_board_booted_by_the_firmware(tmp_path, board):
    # What `make deploy` puts on a board (the build of app/), booted by the firmware's runtime
    # with nothing but frozen/ (what the firmware has in flash) on the path.
    image = str(tmp_path / 'image')
    build_assets.main(['--quiet', '--src', user_app(tmp_path), '--out', image])
    shutil.copytree(image, board.fs, dirs_exist_ok=True)
    board.world(networks=[{'ssid': 'home', 'password': 'secret', 'rssi': -50}])
    board.write('config.json', owned_config(networks=[{'ssid': 'home', 'password': 'secret'}]))
    board.boot()
    board.wait_for('launcher: starting the app')
    status, body = get('http://127.0.0.1:%d/hello?name=ada' % board.port, headers=AUTH)
    assert (status, body) == (200, EXPECTED), board.output
    assert 'Traceback' not in board.output, board.output


def guide_commands():
    """The two commands docs/guide.md gives for running a program (its first shell block)."""
    with open(os.path.join(ROOT, 'docs', 'guide.md')) as f:
        block = re.search(r'```sh\n(.*?)```', f.read(), re.S).group(1)
    commands = [shlex.split(line) for line in block.strip().split('\n')]
    assert [c[0] for c in commands] == ['MICROPYPATH=frozen:.frozen', 'PYTHONPATH=frozen']
    return commands


@pytest.mark.parametrize('which', ['micropython', 'cpython'])
def test_template_with_the_guides_commands(tmp_path, which):
    # Run "from the repository's directory" as the guide says: a directory where `frozen` and
    # `.venv` are the repository's, and the template only as source (compiled on first use).
    command = guide_commands()[0 if which == 'micropython' else 1]
    for name in ('frozen', '.venv'):
        os.symlink(os.path.join(ROOT, name), str(tmp_path / name))
    (tmp_path / 'templates').mkdir()
    (tmp_path / 'templates' / 'hello.html').write_text(HELLO)
    (tmp_path / 'templates' / 'greet.html').write_text(GREET)
    port = free_port()
    (tmp_path / 'main.py').write_text(
        'from microdot import Microdot\nfrom microdot.utemplate import Template\n\n'
        'app = Microdot()\n' + ROUTE + '\n\napp.run(port=%d)\n' % port)
    env = {k: v for k, v in os.environ.items() if k not in ('MICROPYPATH', 'PYTHONPATH')}
    var, _, value = command[0].partition('=')
    env[var] = value
    proc = Run().launch(command[1:], cwd=str(tmp_path), env=env)
    try:
        status, body = get('http://127.0.0.1:%d/hello?name=ada' % port)
    finally:
        proc.stop()
    assert (status, body) == (200, EXPECTED), proc.output
    assert (tmp_path / 'templates' / 'hello_html.py').exists()  # compiled on first use


def test_frozen_utemplate_is_the_pinned_package_and_not_committed():
    import utemplate
    runtime = os.path.join(ROOT, 'frozen', 'utemplate')
    with open(os.path.join(runtime, '.version')) as f:
        assert f.read().strip() == bootstrap.UTEMPLATE[1]
    installed = [p for p in utemplate.__path__ if os.path.abspath(p) != runtime][0]
    names = sorted(n for n in os.listdir(installed) if n.endswith('.py'))
    assert names == sorted(n for n in os.listdir(runtime) if n.endswith('.py'))
    assert {'compiled.py', 'recompile.py', 'source.py'} <= set(names)
    for n in names:
        with open(os.path.join(installed, n), 'rb') as a, open(os.path.join(runtime, n), 'rb') as b:
            assert a.read() == b.read(), n
    r = subprocess.run(['git', '-C', ROOT, 'ls-files', 'frozen/utemplate'], capture_output=True,
                       text=True)
    assert r.returncode == 0 and r.stdout == ''
    r = subprocess.run(['git', '-C', ROOT, 'check-ignore', '-q', 'frozen/utemplate/source.py'])
    assert r.returncode == 0  # ignored: a build output


def test_make_rebootstraps_when_the_runtime_copy_is_gone():
    r = subprocess.run(['make', '-n', '-C', ROOT, 'venv', 'UTEMPLATE_RUNTIME=build/none/.version'],
                       capture_output=True, text=True)
    assert r.returncode == 0 and 'scripts/bootstrap.py' in r.stdout, r.stdout + r.stderr
