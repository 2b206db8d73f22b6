"""`make run`: serve app/ on the MicroPython unix port, with the framework from frozen/ and the
simulated `network`/`machine` modules from scripts/sim/, at http://HOST:PORT."""
import argparse
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=8080)
    parser.add_argument('--heapsize', default=None, help='e.g. 110wK to mimic an ESP32')
    args = parser.parse_args()
    micropython = os.path.join(os.path.dirname(sys.executable), 'micropython')
    env = dict(os.environ)
    env['MICROPYPATH'] = ':'.join([os.path.join(ROOT, 'app'), os.path.join(ROOT, 'scripts', 'sim'),
                                   os.path.join(ROOT, 'frozen'), '.frozen'])
    cmd = [micropython]
    if args.heapsize:
        cmd += ['-X', 'heapsize=' + args.heapsize]
    cmd += ['-c', 'import main; main.main(host=%r, port=%d, debug=True)' % (args.host, args.port)]
    print('Serving app/ on the MicroPython unix port at http://%s:%d/ (Ctrl-C to stop)'
          % (args.host, args.port), flush=True)
    os.execve(micropython, cmd, env)


if __name__ == '__main__':
    main()
