"""microdot.utemplate with the real utemplate package (dual-runtime; on MicroPython utemplate is
imported from the venv's site-packages). Build-time compilation is tested in
tests/host/test_ext_templates.py; Jinja2 (CPython only) there too."""
import os
import sys

try:
    import utemplate  # noqa: F401  (CPython: installed in the venv)
except ImportError:  # MicroPython: use the venv's copy
    venv = sys.executable.rsplit('/', 2)[0]
    for name in os.listdir(venv + '/lib'):
        if name.startswith('python3'):
            sys.path.append(venv + '/lib/' + name + '/site-packages')

from microdot import Microdot
from microdot.test_client import TestClient
from microdot.utemplate import Template

_n = [0]


class TemplateDir:
    """A fresh template directory under /tmp (a new package name each time, as imported modules
    are cached); the current directory is moved there while in use."""

    def __init__(self, files):
        _n[0] += 1
        tag = ''.join('%02x' % b for b in os.urandom(4))  # concurrent runs do not collide
        self.base = '/tmp/mdtpl_%s_%d' % (tag, _n[0])
        self.name = 'tpl%d' % _n[0]
        for d in (self.base, self.base + '/' + self.name):
            try:
                os.mkdir(d)
            except OSError:
                pass
        for fname, text in files.items():
            with open(self.base + '/' + self.name + '/' + fname, 'w') as f:
                f.write(text)

    def __enter__(self):
        self.cwd = os.getcwd()
        os.chdir(self.base)
        sys.path.insert(0, self.base)
        Template.initialize(self.name)
        return self

    def __exit__(self, *exc):
        sys.path.remove(self.base)
        os.chdir(self.cwd)
        for fname in os.listdir(self.base + '/' + self.name):
            os.remove(self.base + '/' + self.name + '/' + fname)
        os.rmdir(self.base + '/' + self.name)
        os.rmdir(self.base)

    def files(self):
        return sorted(os.listdir(self.base + '/' + self.name))


PAGE = '''{% args title, items %}
<h1>{{ title }}</h1>
{% for i in items %}
<li>{{ i }}</li>
{% endfor %}
{% include "footer.html" %}
'''
FOOTER = '<footer>end</footer>\n'


def test_render_and_generate():
    with TemplateDir({'page.html': PAGE, 'footer.html': FOOTER}) as d:
        t = Template('page.html')
        assert t.name == 'page.html'
        html = t.render('Hi', [1, 2])
        assert '<h1>Hi</h1>' in html and '<li>1</li>' in html and '<li>2</li>' in html
        assert html.rstrip().endswith('<footer>end</footer>')
        assert ''.join(t.generate(title='T', items=[])) == t.render('T', [])
        assert 'page_html.py' in d.files()  # compiled on first use (no host build here)


async def test_async_forms():
    with TemplateDir({'page.html': PAGE, 'footer.html': FOOTER}):
        t = Template('page.html')
        assert await t.render_async('A', [3]) == t.render('A', [3])
        chunks = []
        async for chunk in t.generate_async('A', [3]):
            chunks.append(chunk)
        assert ''.join(chunks) == t.render('A', [3])


async def test_route_streams_a_template():
    with TemplateDir({'page.html': PAGE, 'footer.html': FOOTER}):
        app = Microdot()

        @app.get('/')
        async def index(request):
            return Template('page.html').generate('Streamed', ['a', 'b']), \
                {'Content-Type': 'text/html'}

        res = await TestClient(app).get('/')
        assert res.status_code == 200 and res.headers['Content-Type'] == 'text/html'
        assert '<h1>Streamed</h1>' in res.text and '<li>b</li>' in res.text


def test_compiled_loader_uses_precompiled_module_only():
    with TemplateDir({'page.html': PAGE, 'footer.html': FOOTER}) as d:
        Template('page.html').render('x', [])  # compile once
        os.remove(d.base + '/' + d.name + '/page.html')  # source gone: only the module is left
        from utemplate import compiled
        Template.initialize(d.name, loader_class=compiled.Loader)
        assert '<h1>y</h1>' in Template('page.html').render('y', [])
