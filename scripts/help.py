"""`make help`: every target, grouped (use / board / develop) and aligned.

    python3 scripts/help.py Makefile scripts/mk/*.mk

Targets describe themselves in their make file with lines of the form

    ## make <target> [VAR=value ...]    what it does
    ##                                  (more of the description)

(usage and description separated by two or more spaces; a line with no `make` continues the
description above it). The group of a target is set by GROUPS below; a target missing there is
listed under "develop". Standard library only: it runs before .venv exists.
"""
import re
import sys
import textwrap

GROUPS = [
    ('Use: run the app and the examples on this computer', [
        'run', 'run-device', 'run-esp8266', 'example', 'examples', 'app-build', 'app-build-mpy',
        'templates']),
    ('Board: over USB, DEVICE=/dev/ttyUSB0 (without it, the first USB board)', [
         'firmware', 'micropython', 'flash', 'erase', 'deploy', 'example-deploy', 'repl',
         'mount', 'mpy', 'package-json', 'mip-install']),
    ('Develop: tests and tools', [
        'test', 'venv', 'clean', 'debian-packages', 'help']),
]
WIDTH = 34  # the usage column; a longer usage puts its description on the next line
LINE = 100  # descriptions are wrapped to this width


def entries(paths):
    """[(target, usage, [description lines])] in file order."""
    out = []
    for path in paths:
        with open(path) as f:
            for line in f:
                if not line.startswith('## '):
                    continue
                text = line[3:].rstrip()
                if text.startswith('make '):
                    parts = re.split(r'\s{2,}', text, maxsplit=1)
                    out.append((text.split()[1], parts[0], parts[1:]))
                elif out and text.strip():
                    out[-1][2].append(text.strip())
    return out


def render(paths):
    found = entries(paths)
    known = {t for _, targets in GROUPS for t in targets}
    lines = []
    for title, targets in GROUPS:
        group = [e for t in targets for e in found if e[0] == t]
        if title.startswith('Develop'):
            group += [e for e in found if e[0] not in known]
        if not group:
            continue
        lines.append('' if lines else None)
        lines.append(title + ':')
        for _, usage, desc in group:
            text = textwrap.wrap(' '.join(desc), LINE - WIDTH - 3) or ['']
            if len(usage) > WIDTH:
                lines.append('  ' + usage)
                usage = ''
            for part in text:
                lines.append(('  %-*s %s' % (WIDTH, usage, part)).rstrip())
                usage = ''
    return '\n'.join(line for line in lines if line is not None)


if __name__ == '__main__':
    try:
        print(render(sys.argv[1:]))
    except BrokenPipeError:  # make help | head
        pass
