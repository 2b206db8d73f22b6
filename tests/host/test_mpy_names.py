"""The names a .mpy build makes a board intern (scripts/build_assets.compile_mpy): every name
a module interns when it is loaded stays for good, so the build gives each module as its
source name (kept for tracebacks) its dotted name, which its import interns anyway, and not a
file path, one more name per module (486 bytes of names for the .mpy UI once it listens at
64wK; bench/save_heap.py)."""
import os
import re
import subprocess
import sys

from support.runtimes import MICROPYTHON

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, 'scripts'))

CODE = '''import sys, micropython
sys.path.insert(0, 'mpy')
import pkg
micropython.qstr_info()
import pkg.failing_module_x
micropython.qstr_info()
try:
    pkg.failing_module_x.fail()
except ZeroDivisionError as exc:
    sys.print_exception(exc)
'''


def test_a_mpy_module_interns_no_file_path_for_its_source(tmp_path):
    import build_assets
    src = tmp_path / 'src' / 'pkg'
    src.mkdir(parents=True)
    (src / '__init__.py').write_text('')
    (src / 'failing_module_x.py').write_text('def fail():\n    return 1 // 0\n')
    build_assets.compile_mpy(str(tmp_path / 'src'), str(tmp_path / 'mpy'))
    out = subprocess.run([MICROPYTHON, '-c', CODE], cwd=str(tmp_path), capture_output=True,
                         text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    assert 'File "pkg.failing_module_x", line 2' in out.stdout, out.stdout
    before, after = [int(n) for n in re.findall(r'n_qstr=(\d+)', out.stdout)]
    # the module's __file__ (a path, set by the import; its dotted name and `fail` are this
    # snippet's names already); before, the source's path 'pkg/failing_module_x.py' too
    assert after - before == 1, out.stdout
    assert build_assets.source_name('ui/__init__.py') == 'ui'
