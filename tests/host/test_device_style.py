"""The one look of every page the device serves: frozen/device/style.css, minified by
scripts/build_assets.py into the `_STYLE` constant device/portal.py sends inline (the setup
page, "Saved", recovery, welcome) and into the app's stylesheet (app/static/app.css imports it:
the dashboard, login, settings)."""
import gzip
import os
import re
import shutil
import sys

import pytest

from test_app import ROOT

sys.path.insert(0, os.path.join(ROOT, 'scripts'))
import build_assets  # noqa: E402

# Whether portal.py as checked out agrees with style.css, looked at while pytest collects, before
# any test runs the build (scripts/run_host.py rewrites portal.py, which would hide a commit that
# changed style.css without the regenerated portal.py: a firmware built from that commit would
# freeze the old style)
FRESH_AT_START = build_assets.device_style(check=True)


def test_the_committed_portal_has_the_style_built_from_style_css():
    assert FRESH_AT_START, ('frozen/device/portal.py was not built from frozen/device/style.css: '
                            'run scripts/build_assets.py (make run does) and commit portal.py')


def test_the_portal_sends_the_style_built_from_style_css():
    assert build_assets.device_style(check=True), \
        'frozen/device/style.css changed: run scripts/build_assets.py (make run does)'
    sys.path.insert(0, os.path.join(ROOT, 'frozen'))
    from device import portal
    with open(build_assets.DEVICE_CSS) as f:
        css = build_assets.minify_css(f.read()).encode()
    assert portal._STYLE == b'</title><style>' + css + b'</style><header><h1>'


def test_a_change_to_style_css_reaches_the_portal_at_the_next_build(tmp_path, monkeypatch):
    for name in ('DEVICE_CSS', 'PORTAL'):
        copy = tmp_path / os.path.basename(getattr(build_assets, name))
        shutil.copy(getattr(build_assets, name), copy)
        monkeypatch.setattr(build_assets, name, str(copy))
    css = tmp_path / 'style.css'
    css.write_text(css.read_text().replace('.hint { color: var(--mute); }',
                                           '.hint {\n  color: #6b7380;\n  font-size: .9rem;\n}'))
    assert build_assets.device_style(check=True) is False
    before = (tmp_path / 'portal.py').read_text()
    assert build_assets.device_style() is False  # rewritten
    after = (tmp_path / 'portal.py').read_text()
    assert '.hint{color:#6b7380;font-size:.9rem}' in after.replace(
        "'\n          b'", '')
    assert build_assets.device_style(check=True) is True
    # only the generated block changed; every line still fits the style's 100 columns
    assert before.split(build_assets.STYLE_BEGIN)[0] == after.split(build_assets.STYLE_BEGIN)[0]
    assert before.split(build_assets.STYLE_END)[1] == after.split(build_assets.STYLE_END)[1]
    assert max(len(line) for line in after.splitlines()) <= 100


def built_css(src):
    """The app's stylesheet as the build ships it (gunzipped), built from `src`."""
    image, _ = build_assets.make_image(src)
    return gzip.decompress(image.files['static/app.css.gz']).decode()


def test_the_apps_stylesheet_starts_with_the_device_pages_one():
    with open(build_assets.DEVICE_CSS) as f:
        device = build_assets.minify_css(f.read())
    with open(os.path.join(ROOT, 'app', 'static', 'app.css')) as f:
        source = f.read()
    assert '@import "device/style.css";' in source
    shipped = built_css(os.path.join(ROOT, 'app'))
    assert shipped.startswith(device) and '@import' not in shipped
    assert len(shipped) > len(device) + 1000  # and the dashboard's own rules after it
    # the palette is written once, in style.css: the app's file defines none of it again
    rules = re.sub(r'/\*.*?\*/', '', source, flags=re.S)
    assert not re.search(r'--(fg|bg|accent|line|mute|bad|ok|card):', rules)
    assert set(re.findall(r'#[0-9a-f]{3,6}\b', rules)) <= {'#8f8'}  # the live dot


def test_a_change_to_style_css_reaches_the_apps_pages_at_the_next_build(tmp_path, monkeypatch):
    frozen = tmp_path / 'frozen'
    (frozen / 'device').mkdir(parents=True)
    with open(build_assets.DEVICE_CSS) as f:
        css = f.read()
    (frozen / 'device' / 'style.css').write_text(css.replace('--accent: #0a66c2;',
                                                             '--accent: #8a2be2;'))
    before = gzip.decompress(build_assets.make_image(os.path.join(ROOT, 'app'))[0]
                             .files['static/index.html.gz'])
    monkeypatch.setattr(build_assets, 'FROZEN', str(frozen))
    src = tmp_path / 'app'
    shutil.copytree(os.path.join(ROOT, 'app', 'static'), src / 'static')
    shipped = built_css(str(src))
    assert '--accent:#8a2be2' in shipped and '#0a66c2' not in shipped.split('@media')[0]
    # the versioned reference in the pages changes with it: browsers fetch the new look
    after = gzip.decompress(build_assets.make_image(str(src))[0].files['static/index.html.gz'])
    assert re.search(rb'app\.css\?v=(\w+)', before).group(1) != \
        re.search(rb'app\.css\?v=(\w+)', after).group(1)


def test_an_import_of_a_file_that_is_not_in_frozen_stops_the_build(tmp_path):
    src = tmp_path / 'app'
    (src / 'static').mkdir(parents=True)
    (src / 'static' / 'app.css').write_text('@import "device/nothing.css";\nbody { margin: 0; }')
    with pytest.raises(SystemExit, match='imports device/nothing.css'):
        build_assets.make_image(str(src))
    (src / 'static' / 'app.css').write_text('@import "../scripts/build_assets.py";')
    with pytest.raises(SystemExit, match='not a file of frozen'):
        build_assets.make_image(str(src))
