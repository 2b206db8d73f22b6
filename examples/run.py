"""Run one example on this computer: ``python examples/run.py NAME [--port 8080]`` (or
``make example NAME=...``).

By default the example runs on the MicroPython unix port (the same interpreter as a board, with
the framework from ``frozen/`` and simulated ``network``/``machine`` modules from ``scripts/sim``)
with the example's directory as the current directory, as ``/`` is on a board after
``make example-deploy``. ``--cpython`` runs it on CPython instead (examples that need
``machine`` are MicroPython-only).
"""
import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def names():
    """Every example: a directory here with a main.py."""
    return sorted(d for d in os.listdir(HERE)
                  if os.path.isfile(os.path.join(HERE, d, 'main.py')))


def command(name, host, port, cpython=False, heapsize=None, directory=None):
    """(argv, env, cwd) that serve example `name` on host:port from its directory (or from a
    copy of it in `directory`)."""
    cwd = directory or os.path.join(HERE, name)
    code = 'import main; main.app.run(host=%r, port=%d, debug=True)' % (host, port)
    env = dict(os.environ)
    if cpython:
        env['PYTHONPATH'] = os.pathsep.join([cwd, os.path.join(ROOT, 'frozen')])
        return [sys.executable, '-u', '-c', code], env, cwd
    env['MICROPYPATH'] = ':'.join([cwd, os.path.join(ROOT, 'scripts', 'sim'),
                                   os.path.join(ROOT, 'frozen'), '.frozen'])
    micropython = os.path.join(os.path.dirname(sys.executable), 'micropython')
    argv = [micropython]
    if heapsize:
        argv += ['-X', 'heapsize=' + heapsize]
    return argv + ['-c', code], env, cwd


def board_modules(name):
    """The MicroPython-only modules (`machine`, `network`) example `name` imports at its top:
    it cannot run on CPython (the unix port has them simulated, from scripts/sim)."""
    import re
    with open(os.path.join(HERE, name, 'main.py')) as f:
        source = f.read()
    return sorted(set(re.findall(r'^(?:from|import) +(machine|network)\b', source, re.M)))


def venv_python():
    """The project's .venv Python (made by `make`), which has the unix port and utemplate."""
    return os.path.join(ROOT, '.venv', 'bin', 'python')


def main(argv=None):
    if argv is None and os.path.exists(venv_python()) and \
            os.path.realpath(sys.prefix) != os.path.realpath(os.path.join(ROOT, '.venv')):
        os.execv(venv_python(), [venv_python(), os.path.abspath(__file__)] + sys.argv[1:])
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('name', nargs='?', help='one of: ' + ', '.join(names()))
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=8080)
    parser.add_argument('--cpython', action='store_true', help='run on CPython')
    parser.add_argument('--heapsize', help='MicroPython heap, e.g. 110wK to mimic an ESP32')
    args = parser.parse_args(argv)
    if args.name not in names():
        sys.exit('example: NAME must be one of: %s (got %r)' % (' '.join(names()), args.name))
    if args.cpython and board_modules(args.name):
        sys.exit('example: %s needs %s, which only MicroPython has: run it without CPYTHON=1 '
                 '(the unix port simulates the board)' % (args.name, ' and '.join(
                     board_modules(args.name))))
    sys.path.insert(0, os.path.join(ROOT, 'scripts'))
    from run_host import port_in_use  # scripts/run_host.py (make run)
    busy = port_in_use(args.host, args.port)
    if busy:
        sys.exit(busy)
    cmd, env, cwd = command(args.name, args.host, args.port, args.cpython, args.heapsize)
    print('Serving examples/%s on %s at http://%s:%d/ (Ctrl-C to stop)'
          % (args.name, 'CPython' if args.cpython else 'the MicroPython unix port', args.host,
             args.port), flush=True)
    os.chdir(cwd)
    os.execve(cmd[0], cmd, env)


if __name__ == '__main__':
    main()
