"""The one source of the device pages' look: frozen/device/style.css, minified by
scripts/build_assets.py into the `_STYLE` constant device/portal.py sends inline (the setup
page, "Saved", recovery, welcome); its colours are the dashboard's (app/static/app.css)."""
import os
import re
import shutil
import sys

from test_app import ROOT

sys.path.insert(0, os.path.join(ROOT, 'scripts'))
import build_assets  # noqa: E402


def test_the_portal_sends_the_style_built_from_style_css():
    assert build_assets.device_style(check=True), \
        'frozen/device/style.css changed: run scripts/build_assets.py (make run does)'
    sys.path.insert(0, os.path.join(ROOT, 'frozen'))
    from device import portal
    with open(build_assets.DEVICE_CSS) as f:
        css = build_assets.minify_css(f.read()).encode()
    assert portal._STYLE == b'</title><style>' + css + b'</style><header>'


def test_a_change_to_style_css_reaches_the_portal_at_the_next_build(tmp_path, monkeypatch):
    for name in ('DEVICE_CSS', 'PORTAL'):
        copy = tmp_path / os.path.basename(getattr(build_assets, name))
        shutil.copy(getattr(build_assets, name), copy)
        monkeypatch.setattr(build_assets, name, str(copy))
    css = tmp_path / 'style.css'
    css.write_text(css.read_text().replace('.hint { color: #6b7380; }',
                                           '.hint {\n  color: #6b7380;\n  font-size: .9rem;\n}'))
    assert build_assets.device_style(check=True) is False
    before = (tmp_path / 'portal.py').read_text()
    assert build_assets.device_style() is False  # rewritten
    after = (tmp_path / 'portal.py').read_text()
    assert '.hint{color:#6b7380;font-size:.9rem}</style><header>' in after.replace(
        "'\n          b'", '')
    assert build_assets.device_style(check=True) is True
    # only the generated block changed; every line still fits the style's 100 columns
    assert before.split(build_assets.STYLE_BEGIN)[0] == after.split(build_assets.STYLE_BEGIN)[0]
    assert before.split(build_assets.STYLE_END)[1] == after.split(build_assets.STYLE_END)[1]
    assert max(len(line) for line in after.splitlines()) <= 100


def test_the_device_pages_use_the_dashboards_colours():
    with open(os.path.join(ROOT, 'app', 'static', 'app.css')) as f:
        root = re.search(r':root\s*\{([^}]*)\}', f.read()).group(1)  # the light palette
    palette = set(re.findall(r'#[0-9a-f]{3,6}\b', root))
    with open(build_assets.DEVICE_CSS) as f:
        used = set(re.findall(r'#[0-9a-f]{3,6}\b', re.sub(r'/\*.*?\*/', '', f.read(), flags=re.S)))
    assert used - palette <= {'#fff', '#fdecec'}, used - palette  # white, the error's tint
    assert {'#0a66c2', '#1d2430', '#f2f4f7', '#dde1e6'} <= used
