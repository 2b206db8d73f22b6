"""Run test functions of one module on MicroPython (or CPython) and report each one.

Usage: micropython mprunner.py MODULE TEST_NAME [TEST_NAME ...]

MicroPython has no unittest. A test is a plain function whose name starts with `test_`; it passes
if it returns (or, for `async def`, completes) without raising. Output, read by tests/conftest.py:

    @@BEGIN <name>
    ...anything the test printed, and the traceback on failure...
    @@END <name> PASS|FAIL <mem_free after gc>
"""
import gc
import sys


def run_one(module, name):
    print('@@BEGIN', name)
    ok = False
    try:
        result = getattr(module, name)()
        if hasattr(result, 'send'):  # a coroutine (a generator object on MicroPython)
            import asyncio
            asyncio.run(result)
        ok = True
    except BaseException as exc:  # noqa: report everything, KeyboardInterrupt included
        if hasattr(sys, 'print_exception'):
            sys.print_exception(exc)
        else:
            import traceback
            traceback.print_exception(exc)
        if isinstance(exc, KeyboardInterrupt):
            raise
    gc.collect()
    free = gc.mem_free() if hasattr(gc, 'mem_free') else -1
    print('@@END', name, 'PASS' if ok else 'FAIL', free)


def main():
    module = __import__(sys.argv[1])
    for name in sys.argv[2:]:
        run_one(module, name)
        # Free what the test left in the module's namespace cache, keep heap use per-test.
        gc.collect()


main()
