"""Build-time support for utemplate templates (microdot.utemplate).

    python scripts/templates.py compile DIR [DIR ...]   compile templates on the host
    python scripts/templates.py runtime [OUT]            utemplate's runtime into frozen/ (or OUT)

`compile` turns every template file in DIR (any file not ending in .py) into the Python module
utemplate's loaders import, DIR/<name>_<ext>.py, unless that module is already newer than its
source. A board that gets DIR with the compiled modules (or the modules frozen) then never
compiles a template: `utemplate.recompile.Loader` only recompiles when a source is newer.

`runtime` copies the utemplate package installed in this venv (scripts/bootstrap.py puts it
there), as source, into `frozen/utemplate/`, which frozen/manifest.py
freezes into the firmware with the framework, so `microdot.utemplate` works on a board, under
`make run` and with `MICROPYPATH=frozen` / `PYTHONPATH=frozen`. It is a build output taken from the
pinned package (scripts/bootstrap.py runs this after installing it), never committed: .gitignore
lists it. `frozen/utemplate/.version` records the version copied.
"""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUNTIME = os.path.join(ROOT, 'frozen', 'utemplate')


def compile_dir(path, quiet=False):
    """Compile the templates of `path` in place; returns the names (re)compiled."""
    from utemplate import source
    path = os.path.abspath(path)
    parent, name = os.path.split(path)
    loader = source.Loader(None, name)
    loader.pkg_path = parent + '/'
    done = []
    for entry in sorted(os.listdir(path)):
        src = os.path.join(path, entry)
        if entry.endswith('.py') or entry.startswith(('.', '_')) or not os.path.isfile(src):
            continue
        out = os.path.join(parent, loader.compiled_path(entry))
        if os.path.exists(out) and os.path.getmtime(out) >= os.path.getmtime(src):
            continue
        tmp = out + '.tmp'
        with open(src) as f_in, open(tmp, 'w') as f_out:
            source.Compiler(f_in, f_out, loader=loader).compile()
        os.replace(tmp, out)
        # The module must not look older than its source (same-second writes): utemplate's
        # recompile.Loader compares modification times.
        st = os.stat(src)
        os.utime(out, (st.st_atime, max(st.st_mtime, os.path.getmtime(out))))
        done.append(entry)
        if not quiet:
            print('compiled', os.path.relpath(src), '->', os.path.relpath(out))
    return done


def installed_version():
    """The version of the utemplate package installed in this venv (its `.version` marker)."""
    import utemplate
    with open(os.path.join([p for p in utemplate.__path__ if os.path.abspath(p) != RUNTIME][0],
                           '.version')) as f:
        return f.read().strip()


def install_runtime(dest=RUNTIME):
    """Copy the installed utemplate package (.py files) into `dest` (frozen/utemplate by
    default), replacing whatever an earlier version left there; returns `dest`."""
    import shutil
    import utemplate
    # utemplate is a namespace package: frozen/ may be on the path too; take the installed one.
    src_dir = [p for p in utemplate.__path__ if os.path.abspath(p) != os.path.abspath(dest)][0]
    tmp = dest + '.tmp'
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    for name in sorted(os.listdir(src_dir)):
        if name.endswith('.py'):
            shutil.copyfile(os.path.join(src_dir, name), os.path.join(tmp, name))
    with open(os.path.join(tmp, '.version'), 'w') as f:
        f.write(installed_version() + '\n')
    shutil.rmtree(dest, ignore_errors=True)
    os.rename(tmp, dest)
    return dest


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) >= 2 and argv[0] == 'compile':
        missing = [d for d in argv[1:] if not os.path.isdir(d)]
        if missing:
            print('error: no such template folder: %s (make templates TEMPLATES=<folder>)'
                  % ', '.join(missing), file=sys.stderr)
            return 2
        for d in argv[1:]:
            compile_dir(d)
        return 0
    if argv[:1] == ['runtime']:
        print(install_runtime(*argv[1:2]))
        return 0
    print(__doc__)
    return 2


if __name__ == '__main__':
    sys.exit(main())
