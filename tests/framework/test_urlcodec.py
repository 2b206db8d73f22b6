# URL encoding helpers and query-string parsing.
from check import raises
from microdot.microdot import MultiDict, urldecode, urlencode
from microdot.urlcodec import parse_query


def test_urldecode_plus_and_percent_escapes():
    assert urldecode('a+b%20c') == 'a b c'
    assert urldecode('%E2%9C%93') == '\u2713'
    assert urldecode(b'x%2Fy') == 'x/y'


def test_urldecode_keeps_malformed_escapes_as_text():
    assert urldecode('%2f%%') == '/%%'
    assert urldecode('%zz&%4') == '%zz&%4'
    assert urldecode('abc%') == 'abc%'
    assert urldecode('%%41') == '%A'
    assert urldecode('%+1') == '% 1'
    assert urldecode(b'%E2%9C%93%') == '\u2713%'


def test_strict_urldecode_rejects_malformed_escapes():
    for bad in ('%zz', '%4', 'abc%', '%+1'):
        with raises(ValueError):
            urldecode(bad, True)


def test_urldecode_rejects_invalid_utf8():
    with raises(ValueError):
        urldecode('%ff%fe')


def test_urlencode_round_trips_reserved_characters():
    text = 'a b+c&d=e?f#g%h'
    encoded = urlencode(text)
    for ch in ' &=?#':
        assert ch not in encoded
    assert encoded.count('+') == 1  # the space; the literal + became %2B
    assert urldecode(encoded) == text


def test_query_parsing_keeps_repeated_keys_and_empty_values():
    args = parse_query('a=1&a=2&b=%E2%9C%93+x&c&&', MultiDict())
    assert args.getlist('a') == ['1', '2']
    assert args['b'] == '\u2713 x'
    assert args['c'] == ''


def test_form_body_key_without_value_is_empty_bytes():
    form = parse_query(b'x=1&flag', MultiDict())
    assert form['x'] == '1'
    assert form['flag'] == b''
