# MultiDict and NoCaseDict behaviour.
from microdot.microdot import MultiDict, NoCaseDict


def test_multidict_first_value_and_getlist():
    d = MultiDict()
    d['a'] = '1'
    d['a'] = '2'
    assert d['a'] == '1'
    assert d.getlist('a') == ['1', '2']
    assert d.getlist('missing') == []
    assert 'a' in d and 'b' not in d


def test_multidict_get_with_type_and_default():
    d = MultiDict({'n': '42', 'x': 'abc'})
    assert d.get('n', type=int) == 42
    assert d.get('x', 7, type=int) == 7
    assert d.get('missing', 'dflt') == 'dflt'
    assert d.getlist('n', type=int) == [42]


def test_multidict_items_expose_lists():
    d = MultiDict()
    d['k'] = 'v1'
    d['k'] = 'v2'
    assert list(d.items()) == [('k', ['v1', 'v2'])]


def test_nocasedict_is_case_insensitive_and_keeps_first_spelling():
    d = NoCaseDict({'Content-Type': 'text/plain'})
    assert d['content-type'] == 'text/plain'
    assert 'CONTENT-TYPE' in d
    d['CONTENT-TYPE'] = 'text/html'
    assert list(d.keys()) == ['Content-Type']
    assert d.get('content-TYPE') == 'text/html'
    assert d.get('missing', 1) == 1


def test_nocasedict_delete_update_pop_setdefault():
    d = NoCaseDict()
    d.update({'X-A': '1', 'x-b': '2'})
    del d['x-a']
    assert 'X-A' not in d and len(d) == 1
    assert d.setdefault('X-B', '9') == '2'
    assert d.setdefault('X-C', '3') == '3'
    assert d.pop('x-c') == '3'
    assert d.pop('x-c', None) is None
    assert 'x-a' not in d.keymap
