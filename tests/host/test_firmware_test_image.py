"""The filesystem image `make firmware-test` puts into the emulated Pico's flash (made on the
host by scripts/firmware_test/firmware_test.py with littlefs-python) mounts in MicroPython's own
littlefs with the rp2 port's geometry (4096-byte blocks, progsize=256 as its _boot.py mounts)
and holds exactly the files `make deploy` copies. Runs on the unix port; no emulator needed."""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, 'scripts', 'firmware_test'))
sys.path.insert(0, os.path.join(ROOT, 'scripts'))

import deploy  # noqa: E402
import firmware_test  # noqa: E402

MICROPYTHON = os.path.join(os.path.dirname(sys.executable), 'micropython')

LIST = r'''
import vfs, sys
class Dev:
    def __init__(self, path):
        self.f = open(path, 'rb')
        self.f.seek(0, 2)
        self.n = self.f.tell() // 4096
    def readblocks(self, block, buf, off=0):
        self.f.seek(block * 4096 + off)
        self.f.readinto(buf)
    def writeblocks(self, block, buf, off=0):
        raise OSError(30)
    def ioctl(self, op, arg):
        return {4: self.n, 5: 4096}.get(op, 0)
vfs.mount(vfs.VfsLfs2(Dev(sys.argv[1]), progsize=256), '/fw', readonly=True)
import os, hashlib, binascii, json
def walk(d):
    for name, kind, *_ in os.ilistdir(d):
        p = d + '/' + name
        if kind == 0x4000:
            yield from walk(p)
        else:
            with open(p, 'rb') as f:
                yield p[4:].lstrip('/'), binascii.hexlify(hashlib.sha256(f.read()).digest()).decode()
print('FILES', json.dumps(dict(walk('/fw'))))
print('BLOCKS', os.statvfs('/fw')[2])
'''


def test_image_mounts_in_micropython_with_the_port_geometry(tmp_path):
    app = tmp_path / 'app'
    (app / 'ui').mkdir(parents=True)
    (app / 'main.py').write_text('from microdot import Microdot\napp = Microdot()\n')
    (app / 'ui' / '__init__.py').write_text('X = 1\n')
    (app / '.hidden').write_text('not deployed')
    files = deploy.app_files(str(app))
    image = tmp_path / 'fs.img'
    firmware_test.make_fs_image(str(image), 212, files, {'config.json': b'{"retries": 2}'})
    assert os.path.getsize(image) == 212 * 4096
    script = tmp_path / 'list.py'
    script.write_text(LIST)
    r = subprocess.run([MICROPYTHON, str(script), str(image)], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr + r.stdout
    listed = [json.loads(line[6:]) for line in r.stdout.splitlines() if line.startswith('FILES')][0]
    assert sorted(listed) == ['config.json', 'main.py', 'ui/__init__.py']
    import hashlib
    for local, remote in files:
        with open(local, 'rb') as f:
            assert listed[remote] == hashlib.sha256(f.read()).hexdigest()
    assert 'BLOCKS 212' in r.stdout


def test_heap_script_pieces_never_include_the_measured_code():
    seen = []

    class FakeBoard:
        def raw_exec(self, code, timeout):
            seen.append(code)
            return '', ''
    firmware_test.run_steps(FakeBoard(), "import gc\nheap('a')\nimport asyncio\nx = 1\nheap('b')")
    assert seen == ['import gc', "heap('a')", 'import asyncio\nx = 1', "heap('b')"]
