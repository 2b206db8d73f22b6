"""The adversarial suite (hostile_suite.py) against every target: the device UI as
`make run-esp8266` serves it (ROMFS framework, 56wK, 3 connections), the hardening and stream
test apps as .mpy under 64wK and on CPython, and examples on CPython, on the unix port and with
the framework as .mpy under 64wK. (The
UI as .mpy under 64wK is not a target: with the framework's bytecode in RAM it has ~10 KB left
and answers 503 to most requests; see issue 13's closing note.) Each case
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
    short_heap = True  # run at 56wK only (test_device_ui_esp8266_profile)
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
        shutil.copytree(os.path.join(ROOT, 'examples', name), self.fs)
        self.port = free_port()
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
    # streams=None: the idle-streams case runs on the test apps. On this heap two of the UI's
    # live streams (the default cap of 2 of 3 connections) leave too little heap for other
    # requests: a UI memory budget finding reported in issue 13, not a slot lock-out.
    check(UiTarget(tmp_path / 'board', ['--rom', '--heapsize', '56wK', '--max-connections', '3'],
                   streams=None))


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


@pytest.mark.parametrize('cpython,heap', [(True, None), (False, None), (False, '64wK')],
                         ids=['cpython', 'unix-port', 'mpy-64wK'])
@pytest.mark.parametrize('name,attrs', [
    ('websocket_echo', {'ws_path': '/echo'}),
    ('static_files', {'static_prefix': '/static'}),
    ('uploads', {'upload_path': '/upload'}),
    ('sse_counter', {}),
    ('login', {'protected_path': '/', 'health': '/login'}),
], ids=lambda v: v if isinstance(v, str) else '')
def test_examples(tmp_path, name, attrs, cpython, heap):
    check(ExampleTarget(name, tmp_path, cpython, heapsize=heap, mpy=bool(heap), **attrs))
