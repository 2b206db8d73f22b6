# device.install: uploads installed all-or-nothing (even across a power cut at any step), the
# previous version kept and restored, one upload at a time, .py files syntax-checked.
import os

from device import install, undo
from faults import every_step

SCRATCH = 'install_scratch'


def rmtree(path):
    try:
        names = os.listdir(path)
    except OSError:
        return
    for name in names:
        p = path + '/' + name
        try:
            os.remove(p)
        except OSError:
            rmtree(p)
    os.rmdir(path)


def fresh():
    """An empty board filesystem to work in (the current directory)."""
    if os.getcwd().endswith(SCRATCH):
        os.chdir('..')
    rmtree(SCRATCH)
    os.mkdir(SCRATCH)
    os.chdir(SCRATCH)
    install.end()


def done():
    os.chdir('..')
    rmtree(SCRATCH)


def put(path, text):
    with open(path, 'w') as f:
        f.write(text)


def text(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return None


def upload(files):
    """Temporary files holding `files` ({target: text}), as an upload writes them."""
    pairs = []
    for target in sorted(files):
        tmp = install.temp()
        put(tmp, files[target])
        pairs.append((tmp, target))
    return pairs


def test_install_replaces_the_files_and_keeps_the_previous_ones():
    fresh()
    put('main.py', 'old')
    install.install(upload({'main.py': 'new', 'lib/x.py': 'added'}))
    assert text('main.py') == 'new' and text('lib/x.py') == 'added'
    assert text('.prev/main.py') == 'old'
    assert undo.previous() == ['main.py'] and undo.untested()
    assert sorted(undo.added()) == ['lib/.dir', 'lib/x.py']
    assert os.listdir('.upload') == []
    assert undo.restore() == ['main.py', 'lib/x.py']
    assert text('main.py') == 'old' and not undo.untested()
    assert text('lib/x.py') is None and 'lib' not in os.listdir()  # what the upload added, gone
    done()


def tree(path='.'):
    """The app's files and folders (not .prev or .upload): {path: text, or None for a folder}."""
    out = {}
    for name in os.listdir(path):
        if name in ('.prev', '.upload'):
            continue
        p = name if path == '.' else path + '/' + name
        if os.stat(p)[0] & 0x4000:
            out[p] = None
            out.update(tree(p))
        else:
            out[p] = text(p)
    return out


def board_with_an_app():
    put('main.py', 'old')
    os.mkdir('lib')
    put('lib/util.py', 'util')
    os.mkdir('empty')
    return tree()


def two_untested_uploads():
    install.install(upload({'main.py': 'new', 'extra.txt': 'e', 'pkg/sub/x.py': 'x',
                            'lib/more.py': 'm'}))
    # a second upload before the first ran: extra.txt is the first upload's, not a version
    # that worked, so it is not kept; lib/util.py is
    install.install(upload({'extra.txt': 'e2', 'lib/util.py': 'util2', 'empty/y.py': 'y'}))


def test_restore_removes_the_files_and_folders_the_uploads_added():
    fresh()
    before = board_with_an_app()
    two_untested_uploads()
    assert text('.prev/extra.txt') is None
    restored = undo.restore()
    assert sorted(restored) == ['empty/y.py', 'extra.txt', 'lib/more.py', 'lib/util.py',
                                'main.py', 'pkg/sub/x.py']
    assert tree() == before
    assert undo.added() == [] and undo.previous() == []
    install.install(upload({'extra.txt': 'again'}))  # a new upload after that: all as usual
    assert text('extra.txt') == 'again' and undo.restore() == ['extra.txt']
    assert tree() == before
    done()


def test_restore_leaves_the_runtimes_own_files_as_they_are():
    # An older firmware let an upload replace config.json (and add sim.json): restoring the
    # previous app puts neither back nor removes it; the settings change only through
    # device.config, which holds them in RAM too.
    fresh()
    put('main.py', 'old')
    put('config.json', '{"hostname": "before"}')
    install.install(upload({'main.py': 'new', 'config.json': '{"hostname": "upload"}',
                            'sim.json': '{}'}))
    assert sorted(undo.restore()) == ['main.py']
    assert text('main.py') == 'old' and text('config.json') == '{"hostname": "upload"}'
    assert text('sim.json') == '{}'
    import sys
    assert 'device.kept' not in sys.modules  # looked at, and not left loaded (boot heap)
    done()


def test_a_power_cut_during_a_restore_that_removes_added_files_is_finished_by_restoring_again():
    cuts = 0
    for cut in every_step(40):
        fresh()
        before = board_with_an_app()
        two_untested_uploads()
        if not cut.run((install, undo), undo.restore):
            cuts += 1
            undo.restore()  # the next boot, or the recovery page's button
        assert tree() == before, (cut.limit, tree())
        done()
    assert cuts >= 8


def test_an_untested_install_keeps_the_version_that_worked():
    fresh()
    put('main.py', 'v1')
    install.install(upload({'main.py': 'v2'}))
    install.install(upload({'main.py': 'v3'}))  # v2 never started: v1 stays the kept one
    assert text('.prev/main.py') == 'v1' and text('main.py') == 'v3'
    undo.started()  # v3 imported fine
    install.install(upload({'main.py': 'v4'}))
    assert text('.prev/main.py') == 'v3'
    done()


def test_an_install_over_a_failed_app_keeps_the_version_kept():
    fresh()
    put('main.py', 'v1')
    install.install(upload({'main.py': 'v2'}))
    undo.started()  # v2 imported; later its server dies: the recovery page takes a fix
    install.install(upload({'main.py': 'v3'}), failed=True)
    assert text('.prev/main.py') == 'v1' and text('main.py') == 'v3'  # not the failed v2
    assert undo.untested()
    install.install(upload({'lib.py': 'new'}), failed=True)
    assert text('.prev/main.py') == 'v1' and text('lib.py') == 'new'
    done()


def test_one_upload_at_a_time():
    install.end()
    assert install.begin() is True
    assert install.begin() is False
    install.end()
    assert install.begin() is True
    install.end()


def test_temporary_names_are_unique():
    fresh()
    names = []
    for _ in range(30):
        names.append(install.temp())
        put(names[-1], '')
    assert len(set(names)) == 30
    install.discard(names[:15])
    install.discard([(name, 'target.txt') for name in names[15:]])  # as install() takes them
    assert os.listdir('.upload') == []
    done()


def test_check_compiles_py_files_only():
    fresh()
    put('good', 'def f(x):\n    return x\n')
    put('bad', 'x = 1\ndef f(:\n')
    assert install.check('good', 'main.py') is None
    problem = install.check('bad', 'lib/main.py')
    assert problem.startswith('lib/main.py, line 2: ') and 'SyntaxError' in problem, problem
    assert install.check('bad', 'notes.txt') is None
    done()


def state():
    return text('main.py'), text('lib/x.py')


def test_a_power_cut_at_every_step_of_an_install_is_all_or_nothing():
    cuts = 0
    for first in every_step(40):
        for second in every_step(40):
            fresh()
            put('main.py', 'old main')
            os.mkdir('lib')
            put('lib/x.py', 'old x')
            pairs = upload({'main.py': 'new main', 'lib/x.py': 'new x'})
            first.run(install, install.install, pairs)
            # the board restarts; the recovery itself may be cut too, then runs again
            second.run(install, install.recover)
            install.recover()
            now = state()
            where = (first.limit, second.limit)
            assert now in (('old main', 'old x'), ('new main', 'new x')), (where, now)
            if now[0] == 'new main':
                assert text('.prev/main.py') == 'old main' and text('.prev/lib/x.py') == 'old x'
            assert not install.exists('.upload'), where  # no temporary file left
            cuts += 1
    done()
    assert cuts > 10


def test_a_power_cut_during_restore_is_finished_by_restoring_again():
    for cut in every_step(20):
        fresh()
        put('main.py', 'good')
        install.install(upload({'main.py': 'broken'}))
        if not cut.run((install, undo), undo.restore):
            assert text('main.py') in ('good', 'broken', None)
            if text('main.py') != 'good':
                assert undo.untested()  # the launcher restores again at the next boot
                undo.restore()
        assert text('main.py') == 'good', cut.limit
        done()


def test_check_is_skipped_where_the_heap_cannot_afford_compiling():
    fresh()
    put('bad', 'def f(:\n')
    factor = install.COMPILE_FACTOR
    install.COMPILE_FACTOR = 1 << 40  # no heap is that big: as on a board with too little free
    try:
        problem = install.check('bad', 'main.py')
    finally:
        install.COMPILE_FACTOR = factor
    import gc
    if hasattr(gc, 'mem_free'):  # MicroPython: installed unchecked (the kept version is the net)
        assert problem is None
    else:  # CPython has no heap figure: it always checks
        assert 'SyntaxError' in problem
    done()


def test_the_upload_module_keeps_to_a_table_of_29_names():
    # device.install is what an upload loads, on a heap a dashboard visit left in pieces: its
    # names are one table that needs a free block of its size (37 entries, 592 bytes on a
    # 64-bit build, with the previous version's functions; 29 entries, 464 bytes, without:
    # those are device.undo's, which an upload does not load)
    own = [name for name in dir(install) if not name.startswith('__')]
    assert len(own) <= 27, own
    assert not [name for name in ('restore', 'previous', 'added', 'untested', 'started')
                if name in own]
