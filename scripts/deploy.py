"""`make deploy`: copy app/ to the board's filesystem root with mpremote, skipping files whose
SHA-256 already matches, then soft-reset the board so the new app runs.

    python scripts/deploy.py --port /dev/ttyACM0 [--src app] [--no-reset]

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
    sys.exit('deploy: no board found on USB; pass PORT=/dev/ttyUSB0 (or similar)')


def mpremote_command(mpremote, device, files):
    dirs = sorted({os.path.dirname(r) for _, r in files if '/' in r})
    cmd = [mpremote, 'connect', device, 'resume']
    if dirs:
        mk = 'import os\nfor d in %r:\n try:\n  os.mkdir(d)\n except OSError:\n  pass' % (dirs,)
        cmd += ['exec', mk]
    for local, remote in files:
        cmd += ['cp', local, ':' + remote, '+']
    return cmd[:-1]


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
    parser.add_argument('--port', help='serial device (default: the first USB serial board)')
    parser.add_argument('--src', default='app', help='directory to deploy (default: app)')
    parser.add_argument('--no-reset', action='store_true', help='do not soft-reset afterwards')
    parser.add_argument('--mpremote', default=os.path.join(os.path.dirname(sys.executable),
                                                           'mpremote'))
    args = parser.parse_args(argv)
    if not os.path.isdir(args.src):
        sys.exit('deploy: no directory %r' % args.src)
    files = app_files(args.src)
    if not files:
        sys.exit('deploy: %r has no files to deploy' % args.src)
    device = args.port or find_device()
    start = time.monotonic()
    proc = subprocess.run(mpremote_command(args.mpremote, device, files), capture_output=True,
                          text=True)
    out = proc.stdout + proc.stderr
    if proc.returncode != 0:
        sys.exit('deploy: mpremote failed (%d):\n%s' % (proc.returncode, out))
    unchanged = [ln.split(':', 1)[1].strip() for ln in out.splitlines()
                 if ln.startswith('Up to date:')]
    copied = [r for _, r in files if r not in unchanged]
    for r in copied:
        print('deploy: copied', r)
    print('deploy: %d copied, %d unchanged (%.1f s)' % (len(copied), len(unchanged),
                                                         time.monotonic() - start))
    if not args.no_reset:
        soft_reset(device)
        print('deploy: soft reset; the board restarts with the new app')


if __name__ == '__main__':
    main()
