"""Templates: utemplate templates compiled on the host at build time (scripts/templates.py) are
only imported on the unix port (.py and .mpy, utemplate frozen with the framework in frozen/),
never compiled or written,
unless a source is newer than its compiled module; Jinja2 on CPython."""
import os
import stat
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, 'scripts'))
import templates as build_templates  # noqa: E402  scripts/templates.py

PAGE = '{% args name %}<p>Hello {{ name }}</p>{% include "part.html" %}\n'
PART = '<i>part</i>'
RENDER = '''
import sys
from microdot.utemplate import Template
Template.initialize('views')
print(Template('page.html').render('board'))
'''


def board_run(runtime, cwd):
    """Render on the unix port in `cwd` the way a board would (frozen/ with utemplate in it)."""
    from support.servers import ServerProcess
    cmd, env = ServerProcess('none', runtime).command()
    env['MICROPYPATH'] = ':'.join(['', env['MICROPYPATH']])
    out = subprocess.run(cmd[:-2] + ['-c', RENDER], cwd=cwd, env=env, capture_output=True,
                         text=True, timeout=30)
    return out.returncode, out.stdout + out.stderr


@pytest.fixture
def site(tmp_path):
    views = tmp_path / 'views'
    views.mkdir()
    (views / 'page.html').write_text(PAGE)
    (views / 'part.html').write_text(PART)
    return tmp_path


@pytest.mark.parametrize('runtime', ['mp-py', 'mp-mpy'])
def test_host_compiled_templates_are_only_imported(site, runtime):
    views = site / 'views'
    assert build_templates.compile_dir(str(views), quiet=True) == ['page.html', 'part.html']
    assert build_templates.compile_dir(str(views), quiet=True) == []  # up to date: nothing
    before = sorted(os.listdir(views))
    mtimes = [(views / n).stat().st_mtime_ns for n in before]
    os.chmod(views, stat.S_IRUSR | stat.S_IXUSR)  # a board that must not write: read-only
    try:
        code, out = board_run(runtime, str(site))
    finally:
        os.chmod(views, 0o755)
    assert code == 0, out
    assert out.strip() == '<p>Hello board</p><i>part</i>'
    assert sorted(os.listdir(views)) == before  # nothing written (root ignores the chmod)
    assert [(views / n).stat().st_mtime_ns for n in before] == mtimes


@pytest.mark.parametrize('runtime', ['mp-py', 'mp-mpy'])
def test_newer_source_is_recompiled_on_the_board(site, runtime):
    views = site / 'views'
    build_templates.compile_dir(str(views), quiet=True)
    compiled = views / 'page_html.py'
    old = compiled.stat().st_mtime
    (views / 'page.html').write_text(PAGE.replace('Hello', 'Changed'))
    os.utime(views / 'page.html', (old + 10, old + 10))  # clearly newer than its module
    code, out = board_run(runtime, str(site))
    assert code == 0, out
    assert out.strip() == '<p>Changed board</p><i>part</i>'
    assert compiled.stat().st_mtime > old  # the board recompiled it


def test_make_templates_target(site):
    out = subprocess.run(['make', '-s', 'templates', 'TEMPLATES=' + str(site / 'views')],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    assert sorted(os.listdir(site / 'views')) == ['page.html', 'page_html.py', 'part.html',
                                                  'part_html.py']
    out = subprocess.run(['make', '-s', 'templates', 'TEMPLATES=' + str(site / 'no-such')],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 2 and 'no such template folder' in out.stderr, out.stderr
    assert 'Traceback' not in out.stderr


def test_jinja_templates(tmp_path, monkeypatch):
    import asyncio

    from microdot import Microdot
    from microdot.jinja import Template
    from microdot.test_client import TestClient

    (tmp_path / 'base.html').write_text('<title>{% block t %}{% endblock %}</title>')
    (tmp_path / 'page.html').write_text(
        '{% extends "base.html" %}{% block t %}{{ name }}{% endblock %}')
    Template.initialize(str(tmp_path))
    t = Template('page.html')
    assert t.name == 'page.html'
    assert t.render(name='<b>') == '<title>&lt;b&gt;</title>'  # autoescaped
    assert ''.join(t.generate(name='x')) == '<title>x</title>'

    app = Microdot()

    @app.get('/')
    async def index(request):
        return Template('page.html').render(name='app'), {'Content-Type': 'text/html'}

    res = asyncio.run(TestClient(app).get('/'))
    assert res.text == '<title>app</title>'

    Template.initialize(str(tmp_path), enable_async=True)

    async def render_async():
        t = Template('page.html')
        chunks = [c async for c in t.generate_async(name='a')]
        return await t.render_async(name='b'), ''.join(chunks)

    assert asyncio.run(render_async()) == ('<title>b</title>', '<title>a</title>')
    Template.jinja_env = None
