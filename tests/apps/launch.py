"""Run a test app as a real server: ``launch <app module> <host> <port> [args...]``.

The module must define `app`; if it defines `configure(args)` that is called first.
Works on CPython and MicroPython."""
import sys

name, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
module = __import__(name)
if hasattr(module, 'configure'):
    module.configure(sys.argv[4:])
print('serving', name, 'on', port)
module.app.run(host=host, port=port, debug=False)
