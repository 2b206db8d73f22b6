"""Run a test app as a real server: ``launch <app module> <host> <port> [--debug] [args...]``.

The module must define `app`; if it defines `configure(args)` that is called first with the
remaining arguments. Works on CPython and MicroPython."""
import sys

name, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
args = sys.argv[4:]
debug = '--debug' in args
if debug:
    args.remove('--debug')
module = __import__(name)
if hasattr(module, 'configure'):
    module.configure(args)
print('serving', name, 'on', port)
module.app.run(host=host, port=port, debug=debug)
