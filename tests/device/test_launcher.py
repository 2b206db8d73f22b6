# device.launcher: the user's main.py is imported from the filesystem; failures become text.
import os
import sys

from device import launcher

NAME = 'user_app_under_test'


def put(source):
    with open(NAME + '.py', 'w') as f:
        f.write(source)
    sys.modules.pop(NAME, None)


def cleanup():
    try:
        os.remove(NAME + '.py')
    except OSError:
        pass
    sys.modules.pop(NAME, None)


def test_missing_module_is_reported_not_raised():
    cleanup()
    module, error = launcher.load(NAME)
    assert module is None and 'make deploy' in error


def test_module_with_app_loads():
    put('class App:\n    async def start_server(self, **kw):\n        pass\napp = App()\n')
    module, error = launcher.load(NAME)
    cleanup()
    assert error is None and hasattr(module.app, 'start_server')


def test_syntax_error_becomes_traceback_text():
    put('def broken(:\n')
    module, error = launcher.load(NAME)
    cleanup()
    assert module is None and 'SyntaxError' in error
    assert NAME not in sys.modules


def test_exception_at_import_becomes_traceback_text():
    put('x = 1\nraise RuntimeError("boom at import")\n')
    module, error = launcher.load(NAME)
    cleanup()
    assert module is None and 'RuntimeError' in error and 'boom at import' in error


def test_module_without_app_is_refused():
    put('x = 1\n')
    module, error = launcher.load(NAME)
    cleanup()
    assert module is None and 'defines no `app`' in error


def test_filesystem_comes_first_on_sys_path():
    put('import sys\nseen = list(sys.path)\n')
    launcher.load(NAME)
    seen = sys.modules[NAME].seen
    cleanup()
    assert seen[0] == '' and sys.path[0] == ''
    assert sys.path.count('') == 1


def test_unload_drops_a_submodule_of_a_package_with_a_module_getattr():
    # microdot's package __getattr__ imports a submodule it is asked for: looked up with
    # hasattr, the module just dropped was imported again at once (5 KB of heap for
    # microdot.multipart as .mpy, after every request of the device UI's API)
    import microdot
    from microdot import jwt  # noqa: F401
    launcher.unload('microdot.jwt')
    assert 'microdot.jwt' not in sys.modules
    assert 'jwt' not in microdot.__dict__
    launcher.unload('microdot.jwt')  # not loaded: nothing to do
    assert 'microdot.jwt' not in sys.modules


def test_unload_after_a_failed_import_lets_the_partly_run_module_go():
    # MicroPython takes a module whose import raised out of sys.modules, but its slot of the
    # table keeps the module (the value) until a later import happens to reuse that slot:
    # the partly-run module, its names and code stay reachable (the device UI at 64wK held
    # ui.files, ui.update, device.install and microdot.multipart, 8-13 KB, after uploads whose
    # imports met a MemoryError, and every save after them got 503). `unload` lets it go.
    import gc
    put('HELD = bytearray(12000)\nraise MemoryError\n')
    if not hasattr(gc, 'mem_free'):  # CPython: a failed import leaves nothing behind
        cleanup()
        return
    gc.collect()
    before = gc.mem_free()
    _import_failing()
    launcher.unload(NAME)
    gc.collect()
    freed = gc.mem_free()
    cleanup()
    assert NAME not in sys.modules
    assert freed > before - 4000, (before, freed)


def _import_failing():
    try:
        __import__(NAME)
    except MemoryError:
        pass
