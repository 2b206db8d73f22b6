# device.owner: the owner password (PBKDF2-HMAC-SHA256), its check and the throttle on guessing.
# heapsize: 48wK
# (the framework package, which jwt belongs to, sits in this heap as .mpy; frozen or in a
# ROMFS a check needs ~3 KB more than the framework: bench/auth.py)
import binascii

from check import raises
from device import config, owner
from faults import remove_saved

PATH = 'owner_under_test.json'


def hexof(b):
    return binascii.hexlify(b).decode()


def test_pbkdf2_sha256_vectors_rfc6070_style():
    # The RFC 6070 inputs with SHA-256 (the vectors published for PBKDF2-HMAC-SHA256).
    assert hexof(owner.pbkdf2_sha256(b'password', b'salt', 1)) == \
        '120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b'
    assert hexof(owner.pbkdf2_sha256(b'password', b'salt', 2)) == \
        'ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43'
    assert hexof(owner.pbkdf2_sha256(b'password', b'salt', 4096)) == \
        'c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a'


def test_pbkdf2_sha256_vectors_longer_output_nul_bytes_and_long_key():
    assert hexof(owner.pbkdf2_sha256(b'passwordPASSWORDpassword',
                                     b'saltSALTsaltSALTsaltSALTsaltSALTsalt', 4096, 40)) == \
        '348c89dbcbd32b2f32d814b8116e84cf2b17347ebc1800181c4e2a1fb8dd53e1c635518c7dac47e9'
    assert hexof(owner.pbkdf2_sha256(b'pass\0word', b'sa\0lt', 4096, 16)) == \
        '89b69d0516f829893c696226650a8687'
    # a password longer than the SHA-256 block is hashed first (checked with CPython's hashlib)
    assert hexof(owner.pbkdf2_sha256(b'x' * 100, b'salt', 3)) == \
        '59bfa49750dd5462ce38370a1e7abe0736ff334cf1c2f0d84f23a03435d660d1'


def test_the_hash_uses_the_shared_hmac_and_loads_no_framework():
    # one HMAC-SHA256 for device.owner and microdot.jwt (the top-level hmacsha256), and the
    # setup portal's password check does not load the framework package for it
    import sys
    had_framework = 'microdot' in sys.modules
    sys.modules.pop('hmacsha256', None)
    owner.pbkdf2_sha256(b'password', b'salt', 2)
    assert 'hmacsha256' in sys.modules
    assert had_framework or 'microdot' not in sys.modules


def test_the_check_has_few_names_and_setting_a_password_loads_apart():
    # A login imports device.owner on a heap in pieces, and its table of names is one block:
    # with 20 names it took 368 B (23 slots, 64-bit unix port), for which the second of two
    # first visits of the .mpy UI at 64wK found no block. Setting a password (make, valid,
    # set_password, reset...) is device.ownerset now, loaded through device.owner's names.
    import sys
    from device import launcher
    launcher.unload('device.ownerset')
    assert owner.check({'owner': owner.make('correct horse', 2)}, 'correct horse', 'a',
                       {}) is True  # make loads device.ownerset ...
    launcher.unload('device.ownerset')
    assert owner.check({'owner': RECORD}, 'not it', 'b', {}) is False  # ... a check does not
    assert 'device.ownerset' not in sys.modules
    names = [name for name in owner.__dict__ if not name.startswith('__')]
    assert len(names) <= 10, names
    assert owner.MIN_LENGTH == 8 and owner.valid('short') and owner.valid('long enough') is None


RECORD = 'pbkdf2-sha256$2$00112233445566778899aabbccddeeff$' + '00' * 32


def test_record_holds_salt_and_hash_but_never_the_password():
    record = owner.make('correct horse')
    kind, iterations, salt, digest = record.split('$')
    assert kind == 'pbkdf2-sha256' and int(iterations) == owner.ITERATIONS
    assert len(salt) == 32 and len(digest) == 64
    assert 'correct horse' not in record
    assert binascii.hexlify(b'correct horse').decode() not in record
    assert digest == hexof(owner.pbkdf2_sha256(b'correct horse', binascii.unhexlify(salt),
                                               owner.ITERATIONS))


def test_every_record_gets_a_fresh_salt():
    a, b = owner.make('same password'), owner.make('same password')
    assert a.split('$')[2] != b.split('$')[2] and a.split('$')[3] != b.split('$')[3]


def test_matches_only_the_right_password():
    record = owner.make('correct horse', iterations=50)
    assert owner.matches(record, 'correct horse')
    for wrong in ('correct hors', 'correct horse ', 'Correct horse', '', None, 'x' * 1000):
        assert not owner.matches(record, wrong)


def test_a_damaged_record_never_matches():
    record = owner.make('correct horse', iterations=50)
    for bad in ('', None, 'plain', record.replace('pbkdf2-sha256', 'md5'),
                record + '$x', record[:-2], 'pbkdf2-sha256$0$00$' + '0' * 64,
                'pbkdf2-sha256$99999999$00$' + '0' * 64, 'pbkdf2-sha256$x$zz$zz'):
        assert not owner.matches(bad, 'correct horse')


def test_password_length_is_checked():
    for bad in ('', 'short', 'x' * 7, 'x' * 65, None, 12345678):
        assert owner.valid(bad)
        with raises(ValueError):
            owner.make(bad)
    assert owner.valid('x' * 8) is None and owner.valid('x' * 64) is None


def test_check_throttles_a_guessing_address_with_a_growing_wait():
    table = {}
    cfg = {'owner': owner.make('correct horse', iterations=20)}
    assert owner.check(cfg, 'wrong one', '10.0.0.1', table) is False
    wait = owner.check(cfg, 'correct horse', '10.0.0.1', table)  # held back: not looked at
    assert wait is not True and wait >= 1
    table['10.0.0.1'][1] = 0  # the wait is over
    assert owner.check(cfg, 'wrong two', '10.0.0.1', table) is False
    assert owner.retry_after('10.0.0.1', table) == 2
    table['10.0.0.1'][1] = 0
    assert owner.check(cfg, 'wrong three', '10.0.0.1', table) is False
    assert owner.retry_after('10.0.0.1', table) == 4
    assert owner.check(cfg, 'correct horse', '10.0.0.2', table) is True  # another address
    table['10.0.0.1'][1] = 0
    assert owner.check(cfg, 'correct horse', '10.0.0.1', table) is True  # success clears it
    assert owner.retry_after('10.0.0.1', table) == 0 and '10.0.0.1' not in table


def test_the_wait_is_capped():
    table = {}
    cfg = {'owner': owner.make('correct horse', iterations=2)}
    for _ in range(20):
        owner.check(cfg, 'wrong', '10.0.0.1', table)
        table['10.0.0.1'][1] = 0
    owner.check(cfg, 'wrong', '10.0.0.1', table)
    assert owner.retry_after('10.0.0.1', table) == owner.MAX_WAIT_S


def test_the_table_of_addresses_is_bounded():
    table = {}
    cfg = {'owner': owner.make('correct horse', iterations=2)}
    for i in range(20):
        assert owner.check(cfg, 'wrong', '10.1.0.%d' % i, table) is False
        assert len(table) <= owner.MAX_CLIENTS
    assert '10.1.0.19' in table


def test_no_password_set_means_no_check_passes():
    assert not owner.is_set({}) and not owner.is_set({'owner': ''})
    assert owner.check({}, '', '10.0.0.2', {}) is False
    assert owner.check({'owner': ''}, 'anything at all', '10.0.0.2', {}) is False


def cleanup():
    remove_saved(PATH)


def test_reset_from_the_repl_sets_or_removes_the_password():
    cleanup()
    owner.reset('new secret!', path=PATH)
    cfg = config.load(PATH)
    assert owner.matches(cfg['owner'], 'new secret!')
    owner.reset(path=PATH)
    assert not owner.is_set(config.load(PATH))
    cleanup()
