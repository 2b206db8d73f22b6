"""docs/contributing.md walks one request through the framework naming functions: each name it
gives must exist where it says, so the walk cannot silently go stale."""
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# Names in the walk that are settings, attributes or headers, not functions or classes.
NOT_CODE = {'keep_alive_timeout', 'request_timeout', 'write_timeout', 'max_head_length',
            'keep_alive', 'request.stream', 'request.form', 'MemoryError'}


def section():
    with open(os.path.join(ROOT, 'docs', 'contributing.md')) as f:
        text = f.read()
    start = text.index('## A request read top to bottom')
    return text[start:text.index('\n## ', start + 1)]


def definitions(text):
    return set(re.findall(r'^\s*(?:async\s+)?(?:def|class)\s+(\w+)', text, re.M))


def test_every_function_the_request_walk_names_exists_in_the_linked_files():
    walk = section()
    files = sorted(set(re.findall(r'\]\(\.\./(frozen/microdot/\w+\.py)\)', walk)))
    assert len(files) >= 8, files
    sources = {}
    for path in files:
        with open(os.path.join(ROOT, path)) as f:
            sources[path] = f.read()
    defined = set().union(*(definitions(t) for t in sources.values()))
    names = re.findall(r'`([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)?)`', walk)
    checked = 0
    for name in names:
        if name in NOT_CODE or name.endswith('.py'):
            continue
        for part in name.split('.'):
            assert part in defined, (name, 'not defined in', files)
        checked += 1
    assert checked >= 25, checked
    hops = re.findall(r'^\s*(\d+)\. \*\*', walk, re.M)
    assert hops == [str(i) for i in range(1, len(hops) + 1)] and 8 <= len(hops) <= 12
