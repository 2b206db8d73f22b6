"""No module of ours uses another module's private (_underscore) names: what one module shares
with others is its public API (docs/contributing.md). Read from the source (ast), over the
framework (frozen/microdot), the device runtime (frozen/device) and the web UI (app/ui)."""
import ast
import os

from support.runtimes import FROZEN, ROOT

PACKAGES = {'microdot': os.path.join(FROZEN, 'microdot'),
            'device': os.path.join(FROZEN, 'device'),
            'ui': os.path.join(ROOT, 'app', 'ui')}


def private(name):
    return name.startswith('_') and not name.endswith('__')


def own_module(package, name):
    """True if `name` (e.g. 'microdot.jwt', 'ui') is a module of ours."""
    parts = name.split('.')
    folder = PACKAGES.get(parts[0])
    if folder is None:
        return False
    return len(parts) == 1 or len(parts) == 2 and \
        os.path.isfile(os.path.join(folder, parts[1] + '.py'))


def uses_of_private_names(package, path):
    """[(line, text)] where the module at `path` (of `package`) imports a private name of another
    module of ours, or reads one from a module of ours it imported."""
    here = package + '.' + os.path.basename(path)[:-3]
    with open(path) as f:
        tree = ast.parse(f.read())
    modules = set()  # names bound to modules of ours in this file
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = package if node.level else node.module or ''
            if node.level and node.module:
                base += '.' + node.module
            for a in node.names:
                if own_module(package, base + '.' + a.name):
                    modules.add(a.asname or a.name)
                elif private(a.name) and own_module(package, base) and base != here:
                    found.append((node.lineno, 'from %s import %s' % (base, a.name)))
        elif isinstance(node, ast.Import):
            for a in node.names:
                if own_module(package, a.name):
                    modules.add(a.asname or a.name.split('.')[0])
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and private(node.attr) and \
                isinstance(node.value, ast.Name) and node.value.id in modules:
            found.append((node.lineno, '%s.%s' % (node.value.id, node.attr)))
    return found


def test_the_reader_finds_a_private_import_and_a_private_attribute(tmp_path):
    path = tmp_path / 'mod.py'
    path.write_text('from ui.files import _safe, listing\nfrom ui import auth\n'
                    'from microdot import jwt\nx = auth._cold() + jwt.encode\n')
    assert uses_of_private_names('ui', str(path)) == [(1, 'from ui.files import _safe'),
                                                     (4, 'auth._cold')]


def test_no_module_uses_another_ones_private_names():
    found = []
    for package, folder in sorted(PACKAGES.items()):
        for name in sorted(os.listdir(folder)):
            if name.endswith('.py'):
                for line, text in uses_of_private_names(package, os.path.join(folder, name)):
                    found.append('%s/%s:%d: %s' % (package, name, line, text))
    assert not found, '\n'.join(found)
