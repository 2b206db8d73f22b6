# device.portal helpers: form decoding and HTML escaping (the setup page's only input parsing).
from device.portal import escape, parse_form, unquote_plus


def test_unquote_plus_decodes_percent_and_plus():
    assert unquote_plus(b'my+home%21') == 'my home!'
    assert unquote_plus(b'caf%C3%A9') == 'caf\u00e9'


def test_unquote_plus_keeps_malformed_escapes():
    assert unquote_plus(b'100%') == '100%'
    assert unquote_plus(b'a%zzb') == 'a%zzb'


def test_parse_form_first_value_wins_and_empty_pairs_skipped():
    form = parse_form(b'ssid=home&&password=p%26ss+word&ssid=other&flag')
    assert form == {'ssid': 'home', 'password': 'p&ss word', 'flag': ''}


def test_parse_form_empty_body():
    assert parse_form(b'') == {}


def test_escape_neutralises_markup():
    assert escape('<a href="x">&</a>') == '&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;'
    assert escape(42) == '42'
