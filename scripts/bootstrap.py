"""Create the project's virtual environment and install the pinned host tooling into it.

Run by `make` on first use; safe to run again (it only does what is missing). Works from a plain
Debian python3: if the `venv` module cannot provide pip (no python3-venv package), pip itself is
fetched from PyPI as a wheel and used to install itself.

utemplate is special: its PyPI sdists contain no setup.py, so pip cannot install them. We ask pip
where the sdist lives (`pip download -v` prints the URL it tried), download that file, check its
pinned SHA-256 and unpack the `utemplate` package into the venv's site-packages. Its runtime is
then copied from there into `frozen/utemplate/` (`scripts/templates.py runtime`), where the
firmware freezes it with the framework and the unix port finds it; that copy is a build output,
never committed.
"""
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV = os.environ.get('VENV') or os.path.join(ROOT, '.venv')
REQUIREMENTS = os.path.join(ROOT, 'scripts', 'requirements.txt')
UTEMPLATE = ('utemplate', '1.4.1',
             '43fde7c8b38dda1ff9c82cd829d22ec445f1e9d631455de705873051f83a0b20')


def venv_python():
    return os.path.join(VENV, 'bin', 'python')


def run(*cmd, **kw):
    print('+', ' '.join(cmd), flush=True)
    return subprocess.run(cmd, check=True, **kw)


def create_venv():
    if os.path.exists(venv_python()):
        return
    try:
        run(sys.executable, '-m', 'venv', VENV)
    except subprocess.CalledProcessError:
        # Debian without python3-venv: make the venv without pip, then bring pip from PyPI.
        run(sys.executable, '-m', 'venv', '--without-pip', '--clear', VENV)
        wheel = fetch_pypi_file('pip', None, '.whl')
        path = os.path.join(VENV, os.path.basename(wheel['url']))
        with open(path, 'wb') as f:
            f.write(download(wheel['url'], wheel['digests']['sha256']))
        run(venv_python(), os.path.join(path, 'pip'), 'install', '--no-index', path)
        os.remove(path)


def download(url, sha256):
    with urllib.request.urlopen(url, timeout=120) as r:
        data = r.read()
    digest = hashlib.sha256(data).hexdigest()
    if digest != sha256:
        sys.exit('checksum mismatch for %s: %s != %s' % (url, digest, sha256))
    return data


def fetch_pypi_file(name, version, suffix):
    """Return PyPI's JSON record of one release file of `name` (newest release if no version)."""
    url = 'https://pypi.org/pypi/%s/%sjson' % (name, version + '/' if version else '')
    with urllib.request.urlopen(url, timeout=60) as r:
        info = json.load(r)
    for f in info['urls']:
        if f['filename'].endswith(suffix):
            return f
    sys.exit('no %s file for %s on PyPI' % (suffix, name))


def sdist_url(name, version):
    """Ask pip where the sdist is: `pip download -v` names the file it fetched before failing."""
    out = subprocess.run(
        [venv_python(), '-m', 'pip', 'download', '-v', '--no-deps', '--no-binary', ':all:',
         '-d', os.path.join(VENV, 'sdists'), '%s==%s' % (name, version)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout
    m = re.search(r'(https?://\S+/%s-%s\.tar\.gz)' % (name, re.escape(version)), out)
    if not m:
        sys.exit('pip did not report where the %s %s sdist is:\n%s' % (name, version, out))
    return m.group(1)


def site_packages():
    out = subprocess.run([venv_python(), '-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'],
                         capture_output=True, text=True, check=True).stdout
    return out.strip()


def install_utemplate():
    name, version, sha256 = UTEMPLATE
    target = site_packages()
    marker = os.path.join(target, name, '.version')
    if os.path.exists(marker) and open(marker).read() == version:
        return
    url = sdist_url(name, version)
    print('+ fetch', url, flush=True)
    data = download(url, sha256)
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        prefix = '%s-%s/%s/' % (name, version, name)
        for member in tar.getmembers():
            if member.isfile() and member.name.startswith(prefix) and member.name.endswith('.py'):
                dest = os.path.join(target, name, member.name[len(prefix):])
                os.makedirs(os.path.dirname(dest), exist_ok=True)
                with open(dest, 'wb') as f:
                    f.write(tar.extractfile(member).read())
    with open(marker, 'w') as f:
        f.write(version)


def install_runtime():
    """frozen/utemplate/: the runtime the firmware freezes, from the package just installed."""
    run(venv_python(), os.path.join(ROOT, 'scripts', 'templates.py'), 'runtime')


def main():
    create_venv()
    run(venv_python(), '-m', 'pip', 'install', '-q', '-r', REQUIREMENTS)
    install_utemplate()
    install_runtime()


if __name__ == '__main__':
    main()
