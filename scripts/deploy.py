"""`make deploy`: copy app/ to the board's filesystem root with mpremote, skipping files whose
SHA-256 already matches, then soft-reset the board so the new app runs.

    python scripts/deploy.py [--device /dev/ttyACM0] [--src build/app] [--clean] [--no-reset]

The board keeps a list of the files deploys have copied there, `/.deployed`. With `--clean`
(`make deploy CLEAN=1`), files on that list that the source directory no longer has are removed
(and directories left empty by that); nothing else is ever removed (but a ``X.py`` beside a
``X.mpy`` copied, which would hide it: `make deploy MPY=1`): not the settings (config.json and
its companions), not files the app or the UI wrote, not /lib.

mpremote is told `resume` (no soft reset before copying: it would end a unix-port "board", and a
raw-REPL soft reset would not run main.py anyway). The final soft reset is the friendly-REPL one
(Ctrl-D at the `>>>` prompt), which is the reset that runs boot.py and then main.py; the
firmware's frozen main.py then brings Wi-Fi up and starts the app.
"""
import argparse
import os
import subprocess
import sys
import time

SKIP_DIRS = {'__pycache__'}
SKIP_SUFFIXES = ('.pyc', '.pyo', '.swp', '~')
RECORD = '.deployed'
# Never removed by --clean, even if an earlier deploy copied them: the board's settings.
KEEP_PREFIXES = ('config.json', 'sim.json')

# Run on the board after the copy: remove the `X.py` beside every `X.mpy` copied (MicroPython
# imports a .py before the .mpy beside it, so the old source would hide the new build) and (if
# `clean`) what the previous record lists and `new` does not, then write the new record: `new`,
# plus (without `clean`) what the old one listed, which is still on the board for a later clean.
# Prints "removed: <path>" per file, "no record" if none.
FINISH = '''import os
new = %r
try:
    with open(%r) as f:
        old = f.read().split('\\n')
except OSError:
    old = None
for p in new:
    if p.endswith('.mpy'):
        try:
            os.remove(p[:-4] + '.py')
            print('removed:', p[:-4] + '.py')
        except OSError:
            pass
if %r:
    if old is None:
        print('no record')
    gone = []
    for p in old or ():
        if p and p not in new and not p.startswith(%r):
            try:
                os.remove(p)
                print('removed:', p)
                gone.append(p)
            except OSError:
                pass
    dirs = {}
    for p in gone:
        while '/' in p:
            p = p.rsplit('/', 1)[0]
            dirs[p] = 1
    for d in sorted(dirs, key=len, reverse=True):
        try:
            os.rmdir(d)
        except OSError:
            pass
else:
    new = new + [p for p in old or () if p and p not in new and not
                 (p.endswith('.py') and p[:-3] + '.mpy' in new)]
with open(%r, 'w') as f:
    f.write('\\n'.join(sorted(new)))
'''


def app_files(src):
    """(local path, remote path) of every file to deploy, sorted; remote paths are relative to
    the device's root."""
    out = []
    for dirpath, dirnames, filenames in os.walk(src):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith('.'))
        for name in sorted(filenames):
            if name.startswith('.') or name.endswith(SKIP_SUFFIXES):
                continue
            local = os.path.join(dirpath, name)
            out.append((local, os.path.relpath(local, src).replace(os.sep, '/')))
    return out


def find_device():
    """The first USB serial device (what `mpremote connect auto` would pick)."""
    from serial.tools import list_ports
    for p in sorted(list_ports.comports(), key=lambda p: p.device):
        if p.vid is not None:
            return p.device
    sys.exit('deploy: no board found on USB; pass DEVICE=/dev/ttyUSB0 (or similar)')


def mpremote_command(mpremote, device, files, clean=False):
    """One mpremote session: make the directories, copy the files (mpremote skips those whose
    hash matches), then the record (and, with `clean`, the removals)."""
    dirs = sorted({r.rsplit('/', 1)[0] for _, r in files if '/' in r})
    parents = sorted({'/'.join(d.split('/')[:i + 1]) for d in dirs
                      for i in range(d.count('/') + 1)}, key=lambda d: (d.count('/'), d))
    cmd = [mpremote, 'connect', device, 'resume']
    if parents:
        mk = 'import os\nfor d in %r:\n try:\n  os.mkdir(d)\n except OSError:\n  pass' % (parents,)
        cmd += ['exec', mk, '+']
    for local, remote in files:
        cmd += ['cp', local, ':' + remote, '+']
    new = sorted(r for _, r in files)
    cmd += ['exec', FINISH % (new, RECORD, clean, KEEP_PREFIXES, RECORD)]
    return cmd


def soft_reset(device):
    """Ctrl-C, Ctrl-D at the friendly REPL: the soft reset that runs main.py."""
    import serial
    s = serial.serial_for_url(device, baudrate=115200, timeout=1)
    try:
        s.write(b'\r\x03\x03\x02')  # interrupt anything, leave raw REPL if in it
        time.sleep(0.2)
        s.reset_input_buffer()
        s.write(b'\x04')
        s.flush()
        time.sleep(0.3)
    finally:
        s.close()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--device', help='serial device (default: the first USB serial board)')
    parser.add_argument('--src', default='build/app',
                        help='directory to deploy (default: build/app, the build of app/)')
    parser.add_argument('--clean', action='store_true',
                        help='remove files an earlier deploy copied that --src no longer has')
    parser.add_argument('--no-reset', action='store_true', help='do not soft-reset afterwards')
    parser.add_argument('--mpremote', default=os.path.join(os.path.dirname(sys.executable),
                                                           'mpremote'))
    args = parser.parse_args(argv)
    if not os.path.isdir(args.src):
        sys.exit('deploy: no directory %r' % args.src)
    files = app_files(args.src)
    if not files:
        sys.exit('deploy: %r has no files to deploy' % args.src)
    device = args.device or find_device()
    start = time.monotonic()
    proc = subprocess.run(mpremote_command(args.mpremote, device, files, args.clean),
                          capture_output=True, text=True)
    out = proc.stdout + proc.stderr
    if proc.returncode != 0:
        sys.exit('deploy: mpremote failed (%d):\n%s' % (proc.returncode, out))
    unchanged = [ln.split(':', 1)[1].strip() for ln in out.splitlines()
                 if ln.startswith('Up to date:')]
    copied = [r for _, r in files if r not in unchanged]
    removed = [ln.split(':', 1)[1].strip() for ln in out.splitlines()
               if ln.startswith('removed:')]
    for r in copied:
        print('deploy: copied', r)
    for r in removed:
        print('deploy: removed', r)
    if args.clean and 'no record' in out.splitlines():
        print('deploy: the board had no record of an earlier deploy: nothing removed (the next '
              'CLEAN=1 deploy can)')
    print('deploy: %d copied, %d unchanged%s (%.1f s)' % (
        len(copied), len(unchanged), ', %d removed' % len(removed) if args.clean or removed else '',
        time.monotonic() - start))
    if not args.no_reset:
        soft_reset(device)
        print('deploy: soft reset; the board restarts with the new app')


if __name__ == '__main__':
    main()
