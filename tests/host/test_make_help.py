"""`make help` lists every target, grouped (use / board / develop) and aligned, and the make
files point only at docs that exist; `REPO`, the one place the repository's GitHub address is
kept, comes from the clone's origin remote or the command line and reaches `make mip-install`."""
import glob
import os
import re
import shutil
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MAKE_FILES = [os.path.join(ROOT, 'Makefile')] + sorted(glob.glob(os.path.join(ROOT, 'scripts', 'mk',
                                                                             '*.mk')))
# Steps other targets use, not meant to be typed.
INTERNAL = {'check-port', 'check-device', 'fw-check-board', 'fw-stage', 'fw-test-tools'}
GROUPS = ('Use:', 'Board:', 'Develop:')


def targets():
    found = set()
    for mk in MAKE_FILES:
        with open(mk) as f:
            for line in f:
                m = re.match(r'^([A-Za-z0-9_.-]+(?:\s+[A-Za-z0-9_.-]+)*)\s*:(?![=:])', line)
                if m and not line.startswith('.'):
                    found.update(m.group(1).split())
    return found - INTERNAL


def make_help():
    r = subprocess.run(['make', '--no-print-directory', '-C', ROOT, 'help'], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return r.stdout


def sections(text):
    """{group title prefix: [entry lines]}"""
    out, current = {}, None
    for line in text.split('\n'):
        if line and not line.startswith(' '):
            current = line.split(':')[0] + ':'
            out[current] = []
        elif line.strip() and current:
            out[current].append(line)
    return out


def test_help_is_the_default_goal_and_groups_use_board_develop():
    text = make_help()
    r = subprocess.run(['make', '--no-print-directory', '-C', ROOT], capture_output=True,
                       text=True, timeout=60)
    assert r.stdout == text
    titles = [line for line in text.split('\n') if line and not line.startswith(' ')]
    assert [t.split(':')[0] + ':' for t in titles] == list(GROUPS)


def test_help_lists_every_target_once_in_its_group():
    text = make_help()
    listed = re.findall(r'^  make ([\w.-]+)', text, re.M)
    assert sorted(listed) == sorted(set(listed)), 'a target listed twice'
    missing = targets() - set(listed)
    assert not missing, 'not in make help: %s' % sorted(missing)
    assert 'package-json' in listed
    groups = sections(text)

    def group_of(target):
        return [g for g, lines in groups.items()
                if any(re.match(r'  make %s\b' % re.escape(target), ln) for ln in lines)][0]
    for t in ('run', 'run-device', 'run-esp8266', 'example'):
        assert group_of(t) == 'Use:', t
    for t in ('deploy', 'repl', 'mount', 'flash', 'erase', 'firmware', 'example-deploy'):
        assert group_of(t) == 'Board:', t
    for t in ('test', 'fuzz', 'soak', 'bench'):
        assert group_of(t) == 'Develop:', t


def test_help_columns_are_aligned():
    text = make_help()
    starts = set()
    for line in text.split('\n'):
        if not line.startswith('  '):
            continue
        m = re.match(r'^(  make \S.*?\s{2,}|\s+)(\S)', line)
        if line.startswith('  make ') and not re.search(r'\S\s{2,}\S', line):
            continue  # a long usage alone on its line; its description follows
        starts.add(len(m.group(1)))
    assert len(starts) == 1, 'descriptions start at columns %s' % sorted(starts)
    assert max(len(line) for line in text.split('\n') if line.startswith(' ')) <= 100


def test_make_files_point_at_docs_that_exist():
    for mk in MAKE_FILES:
        with open(mk) as f:
            text = f.read()
        for path in re.findall(r'\b((?:docs|examples|bench)/[\w./-]+\.md)', text):
            assert os.path.exists(os.path.join(ROOT, path)), '%s names %s' % (mk, path)


def dry_run(cwd, *args):
    r = subprocess.run(['make', '--no-print-directory', '-n', '-C', cwd] + list(args),
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return [ln for ln in r.stdout.split('\n') if 'mpremote connect' in ln or '[ -n ' in ln]


def test_mip_install_uses_repo_and_ref():
    lines = dry_run(ROOT, 'mip-install', 'REPO=github:someone/fork', 'DEVICE=/dev/ttyUSB2',
                    'REF=v1.0')
    assert lines[-1].endswith('mpremote connect /dev/ttyUSB2 mip install '
                              'github:someone/fork/frozen@v1.0'), lines


@pytest.mark.parametrize('url,repo', [
    ('https://github.com/someone/microdot-firmware.git', 'github:someone/microdot-firmware'),
    ('https://github.com/someone/microdot-firmware', 'github:someone/microdot-firmware'),
    ('git@github.com:other/fw.git', 'github:other/fw'),
    (None, ''),
])
def test_repo_comes_from_the_origin_remote(tmp_path, url, repo):
    clone = tmp_path / 'clone'
    (clone / 'scripts' / 'mk').mkdir(parents=True)
    shutil.copy(os.path.join(ROOT, 'Makefile'), str(clone))
    for mk in MAKE_FILES[1:]:
        shutil.copy(mk, str(clone / 'scripts' / 'mk'))
    for name in ('requirements.txt', 'bootstrap.py'):  # what the venv rule names (not run: -n)
        shutil.copy(os.path.join(ROOT, 'scripts', name), str(clone / 'scripts'))
    subprocess.run(['git', 'init', '-q', str(clone)], check=True)
    if url:
        subprocess.run(['git', '-C', str(clone), 'remote', 'add', 'origin', url], check=True)
    lines = dry_run(str(clone), 'mip-install')
    assert lines[0].startswith('[ -n "%s" ]' % repo), lines  # empty: stops with "no REPO"
    if repo:
        assert lines[-1].endswith('mip install %s/frozen' % repo), lines
