"""scripts/fw_frozen_check.py reads the module list of a build's frozen_content.c (the format
MicroPython's tools/mpy-tool.py writes) and refuses a build that lacks our modules."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, 'scripts'))

import fw_frozen_check  # noqa: E402

SAMPLE = r'''
const mp_frozen_module_t frozen_module_asyncio___init__ = { ... };
////////////////////////////////////////////////////////////////////////////////
// collection of all frozen modules

const char mp_frozen_names[] = {
    #ifdef MP_FROZEN_STR_NAMES
    MP_FROZEN_STR_NAMES
    #endif
    "asyncio/__init__.py\0"
    "microdot/__init__.py\0"
    "device/wifi.py\0"
    "main.py\0"
    "\0"
};

const mp_frozen_module_t *const mp_frozen_mpy_content[] = {
'''


def test_reads_the_frozen_names_of_a_build(tmp_path):
    f = tmp_path / 'frozen_content.c'
    f.write_text(SAMPLE)
    assert fw_frozen_check.frozen_names(str(f)) == [
        'asyncio/__init__.py', 'microdot/__init__.py', 'device/wifi.py', 'main.py']


def test_a_build_without_frozen_content_is_refused(tmp_path):
    r = subprocess.run([sys.executable, os.path.join(ROOT, 'scripts', 'fw_frozen_check.py'),
                        '--micropy', str(tmp_path), '--port', 'rp2', '--board-dir', str(tmp_path),
                        '--frozen-content', str(tmp_path / 'none.c'),
                        os.path.join(ROOT, 'frozen', 'manifest.py')],
                       capture_output=True, text=True)
    assert r.returncode == 1 and 'no frozen modules at all' in r.stderr
