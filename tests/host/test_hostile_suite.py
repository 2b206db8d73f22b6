"""The adversarial suite (hostile_suite.py) against every target: the device UI as
`make run-esp8266` serves it (ROMFS framework, 56wK, 3 connections), the hardening and stream
test apps as .mpy under 64wK and on CPython, the UI where the heap has room (`make run`,
as .mpy under an ESP32's 110wK, and the same board booted on CPython: `run_host.py --cpython`)
with no 503 accepted, and every example on CPython
(those that need no `machine`), on the unix port and with the framework as .mpy under 64wK; and
the UI as .mpy under 64wK (the framework's bytecode in RAM, as `make mip-install` puts it on a
board), where, as on the ESP8266 profile, a 503 is an answer the short heap may give. Each case
passes only if the server answers it as it should, stays alive, serves a fresh client
afterwards and leaves the board's files and settings as they were.

`make test` runs every case once per target; `make hostile` repeats the suite (HOSTILE_ROUNDS).
"""
import os
import shutil
import subprocess

import pytest

import hostile_suite
from support.servers import ServerProcess, end_process, free_port

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


class UiTarget(hostile_suite.Target):
    """The device UI served by scripts/run_host.py with the owner's password set."""

    json_path = '/api/pins/led'
    static_prefix = '/static'
    upload_path = '/api/files'
    settings = 'config.json'
    settings_path = '/api/settings'
    delete_path = '/api/files?path='
    json_checked = True  # ui.pins: a level is 0-100
    short_heap = True  # at 56wK (test_device_ui_esp8266_profile); False where there is room
    sse_path = '/api/events'
    # the JSON API, not the dashboard page: on these heaps the page needs a block the heap
    # rarely has once the UI's live-stream modules are loaded (see the report of issue 13)
    health = '/api/status'

    def __init__(self, fs, options, streams):
        from test_app import HostApp, basic
        self.server = HostApp(fs, *options).start()
        self.port = self.server.port
        self.fs = str(fs)
        self.auth = b'Authorization: ' + basic().encode() + b'\r\n'
        self.streams = streams

    def alive(self):
        return self.server.proc.poll() is None

    def output(self):
        return self.server.output

    def stop(self):
        self.server.stop()
        return self.server.output


class AppTarget(hostile_suite.Target):
    """A test app from tests/apps (tests/support/servers.py)."""

    def __init__(self, app, runtime, heapsize=None, args=(), **attrs):
        self.server = ServerProcess(app, runtime, heapsize=heapsize, args=args).start()
        self.port = self.server.port
        self.heap_has_room = heapsize is None
        for k, v in attrs.items():
            setattr(self, k, v)

    def alive(self):
        return self.server.alive()

    def output(self):
        return self.server.output

    def stop(self):
        return self.server.stop()


class ExampleTarget(hostile_suite.Target):
    """An example from examples/, run as `make example` runs it, from a copy of its directory
    (the files that must survive)."""

    def __init__(self, name, tmp, cpython, heapsize=None, mpy=False, **attrs):
        import importlib.util
        spec = importlib.util.spec_from_file_location(
            'examples_run', os.path.join(ROOT, 'examples', 'run.py'))
        runner = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(runner)
        self.fs = os.path.join(str(tmp), name)
        self.heap_has_room = heapsize is None
        shutil.copytree(os.path.join(ROOT, 'examples', name), self.fs)
        self.port = free_port()
        warm = attrs.pop('warm', ())  # pages asked for first: what they write on the board is
        cmd, env, cwd = runner.command(name, '127.0.0.1', self.port, cpython, heapsize, self.fs)
        if mpy:  # the framework as the .mpy bytecode a board runs (tests/support/runtimes.py)
            from support.runtimes import BUILD, FROZEN, build_mpy
            build_mpy()
            env['MICROPYPATH'] = env['MICROPYPATH'].replace(FROZEN, os.path.join(BUILD, 'frozen'))
        self.proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        self._output = ''
        from test_examples import wait_for_port
        wait_for_port(self.port, self.proc, self.stop)
        for k, v in attrs.items():
            setattr(self, k, v)
        for path in warm:  # part of the files to keep (compiled templates)
            self.request('GET', path)

    def alive(self):
        return self.proc.poll() is None

    def output(self):
        return self._output

    def stop(self):
        if self.proc is not None:
            self._output = end_process(self.proc)
            self.proc = None
        return self._output


def check(target):
    try:
        count, complaints = hostile_suite.run_all(target)
    finally:
        out = target.stop()
    # which target (the test's id, e.g. test_examples[uploads-mpy-64wK]): the closing note's
    # "cases run per target" come from `make hostile`'s output
    test = os.environ.get('PYTEST_CURRENT_TEST', type(target).__name__).split(' ')[0]
    print('%s: %d cases' % (test.split('::')[-1], count))
    assert not complaints, '\n'.join(complaints)
    assert 'Traceback' not in out, out[-3000:]


def test_device_ui_esp8266_profile(tmp_path):
    # streams=1: on this heap the UI keeps one live stream (ui.TWO_LIVE_HEAP; the framework's
    # default cap of 2 of 3 connections left too little heap for other requests), so the
    # idle-streams case runs: the second stream gets 503 and ordinary requests are served.
    check(UiTarget(tmp_path / 'board', ['--rom', '--heapsize', '56wK', '--max-connections', '3'],
                   streams=1))


def test_device_ui_mpy_64wK(tmp_path):
    # The UI with the framework as .mpy in RAM under 64wK (test_memory_recovery's MPY_HEAP) and
    # 3 connections: the heap is short, so 503 is accepted as on the ESP8266 profile; one live
    # stream (ui.TWO_LIVE_HEAP), so the idle-streams case runs.
    check(UiTarget(tmp_path / 'board', ['--mpy', '--heapsize', '64wK', '--max-connections', '3'],
                   streams=1))


@pytest.mark.parametrize('options', [['--max-connections', '6'],
                                     ['--mpy', '--heapsize', '110wK', '--max-connections', '6'],
                                     ['--cpython', '--max-connections', '6']],
                         ids=['make-run', 'mpy-esp32-110wK', 'cpython'])
def test_device_ui_with_room(tmp_path, options):
    # The UI where the heap is not short: `make run`'s, the framework as .mpy in RAM (as
    # `make mip-install` puts it on a board) under an ESP32's heap, and the same board booted on
    # CPython (`run_host.py --cpython`). Strict: a 503 is not an answer to these cases here, and
    # the idle-streams case runs (5 streams of 6 connections).
    target = UiTarget(tmp_path / 'board', options, streams=5)
    target.short_heap = False
    target.heap_has_room = True
    check(target)


@pytest.mark.parametrize('runtime', ['cpython', 'mp-mpy'])
def test_hardening_app(tmp_path, runtime):
    static = tmp_path / 'static'
    static.mkdir()
    (static / 'a.txt').write_text('static file')
    check(AppTarget('hard_app', runtime, heapsize='64wK' if runtime == 'mp-mpy' else None,
                    args=['static=' + str(static)], json_path='/json', fs=str(tmp_path)))


@pytest.mark.parametrize('runtime', ['cpython', 'mp-mpy'])
def test_stream_app(runtime):
    check(AppTarget('hard_ws_app', runtime, heapsize='64wK' if runtime == 'mp-mpy' else None,
                    args=['max_connections=6'], ws_path='/echo', sse_path='/events', streams=5))


# Every example, with the routes the cases attack: on CPython, on the unix port, and with the
# framework as .mpy under 64wK (not on CPython: those that need the board's `machine`).
EXAMPLES = [
    ('websocket_echo', {'ws_path': '/echo'}),
    ('websocket_chat', {'ws_path': '/chat'}),
    ('static_files', {'static_prefix': '/static'}),
    ('uploads', {'upload_path': '/upload'}),
    ('sse_counter', {}),
    ('sse_sensor', {}),
    ('login', {'protected_path': '/', 'health': '/login'}),
    ('hello', {}),
    ('mount', {}),
    ('templates', {'warm': ['/', '/plants/0']}),  # the board compiles its templates first
    ('gpio', {}),
    ('cors_api', {}),
]
RUNTIMES = [('cpython', True, None), ('unix-port', False, None), ('mpy-64wK', False, '64wK')]


def example_params():
    import importlib.util
    spec = importlib.util.spec_from_file_location('examples_run',
                                                  os.path.join(ROOT, 'examples', 'run.py'))
    runner = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(runner)
    return [pytest.param(name, attrs, cpython, heap, id='%s-%s' % (name, rid))
            for name, attrs in EXAMPLES for rid, cpython, heap in RUNTIMES
            if not (cpython and runner.board_modules(name))]


def test_every_example_is_a_target():
    names = sorted(d for d in os.listdir(os.path.join(ROOT, 'examples'))
                   if os.path.exists(os.path.join(ROOT, 'examples', d, 'main.py')))
    assert sorted(name for name, _ in EXAMPLES) == names


@pytest.mark.parametrize('name,attrs,cpython,heap', example_params())
def test_examples(tmp_path, name, attrs, cpython, heap):
    check(ExampleTarget(name, tmp_path, cpython, heapsize=heap, mpy=bool(heap), **attrs))
