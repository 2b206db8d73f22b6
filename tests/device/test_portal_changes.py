# device.portal: a MemoryError is answered 503 (Retry-After) and the portal keeps serving; its
# saves go through config.change (atomic, the previous file kept, undone in RAM when they fail).
import os

from device import config, configfile, configwrite
from device.portal import MAX_CONNECTIONS, Portal
from faults import PowerCut, every_step, remove_saved
from microdot import AsyncBytesIO

PATH = 'portal_cfg_under_test.json'


def cleanup():
    remove_saved(PATH)


class Writer:
    """The writing half of a connection (asyncio's StreamWriter API), keeping what was sent."""

    def __init__(self):
        self.out = b''
        self.closed = False

    def get_extra_info(self, name):
        return ('127.0.0.1', 40000)

    def write(self, data):
        self.out += data

    async def drain(self):
        pass

    def close(self):
        self.closed = True

    async def wait_closed(self):
        pass


async def ask(portal, raw):
    writer = Writer()
    await portal.handle(AsyncBytesIO(raw), writer)
    assert writer.closed
    return writer.out


class Scanner:
    """A Wi-Fi scan that runs out of heap the first `fails` times (a scan's result list on a
    full heap), then finds one network."""

    def __init__(self, fails):
        self.fails = fails

    def __call__(self):
        if self.fails:
            self.fails -= 1
            raise MemoryError('memory allocation failed')
        return [{'ssid': 'home', 'rssi': -60, 'secure': True}]


SETUP = b'GET /setup HTTP/1.1\r\nHost: 192.168.4.1\r\n\r\n'


async def test_a_memory_error_is_503_with_retry_after_and_the_portal_goes_on():
    cfg = config.defaults()
    portal = Portal(cfg, '192.168.4.1', scan=Scanner(2))
    for _ in range(2):
        out = await ask(portal, SETUP)
        assert out.startswith(b'HTTP/1.0 503 '), out[:60]
        assert b'\r\nRetry-After: 1\r\n' in out
    assert portal.active == 0  # no slot kept by the failed requests
    out = await ask(portal, SETUP)
    assert out.startswith(b'HTTP/1.0 200 '), out[:60]
    assert b'home' in out
    out = await ask(portal, b'GET /setup HTTP/1.1\r\nHost: ' + b'x' * 600 + b'\r\n\r\n')
    assert out.startswith(b'HTTP/1.0 400 ')  # other errors keep their own answers


async def test_the_503_is_the_frameworks_busy_page_ready_made():
    # one design for every busy page (issue 14): the portal's is microdot's BUSY_PAGE, whole,
    # with its length and type, the same whether the heap or the connection cap refused
    from microdot.response import BUSY_PAGE
    portal = Portal(config.defaults(), '192.168.4.1', scan=Scanner(1))
    short = await ask(portal, SETUP)
    portal.active = MAX_CONNECTIONS  # every connection in use
    full = await ask(portal, SETUP)
    assert short == full
    head, _, body = full.partition(b'\r\n\r\n')
    assert body == BUSY_PAGE
    assert b'\r\nContent-Length: %d\r\n' % len(BUSY_PAGE) in head + b'\r\n'
    assert b'\r\nContent-Type: text/html; charset=UTF-8\r\n' in head + b'\r\n'


def saved_networks(cfg):
    return [n['ssid'] for n in cfg['networks']]


def forget(portal, cut, ssid='home'):
    """POST /forget `ssid` with the power cut `cut` (faults.PowerCut) in config's filesystem
    work; True if the save completed."""
    return cut.run(configwrite, portal.post, b'/forget', {'ssid': ssid})


def test_forget_cut_at_every_step_leaves_old_or_new_and_ram_matches_the_file():
    steps = 0
    for cut in every_step(20):
        cleanup()
        cfg = config.load(PATH)
        config.add_network(cfg, 'cafe', '')
        config.add_network(cfg, 'home', 'pw')
        config.save(cfg, PATH)
        portal = Portal(cfg, '192.168.4.1', config_path=PATH)
        done = forget(portal, cut)
        on_file = saved_networks(config.load(PATH))  # what a restart would find
        assert on_file in (['home', 'cafe'], ['cafe']), (cut.limit, on_file)
        if done:
            assert on_file == ['cafe'] and saved_networks(cfg) == ['cafe']
            assert saved_networks(config.load(PATH + '.bak')) == ['home', 'cafe']  # undo path
        else:
            assert saved_networks(cfg) == ['home', 'cafe'], cut.limit  # the change is undone
            steps += 1
    cleanup()
    assert steps >= 3  # the temp file, its write, the old file kept, the rename


def test_forget_of_an_unknown_network_writes_nothing():
    cleanup()
    cfg = config.load(PATH)
    config.add_network(cfg, 'home', 'pw')
    config.save(cfg, PATH)
    portal = Portal(cfg, '192.168.4.1', config_path=PATH)
    assert forget(portal, PowerCut(1), 'cafe')  # a cut at the first change: there is none
    try:
        os.stat(PATH + '.bak')
        kept = True
    except OSError:
        kept = False
    assert not kept and saved_networks(config.load(PATH)) == ['home']
    cleanup()


def test_change_undoes_a_failed_edit_and_the_keys_it_added():
    cleanup()
    cfg = config.load(PATH)
    config.save(cfg, PATH)

    def edit(c):
        c['owner'] = 'hash'
        c['hostname'] = 'half-done'
        raise MemoryError

    try:
        config.change(cfg, edit, path=PATH)
        failed = False
    except MemoryError:
        failed = True
    assert failed and 'owner' not in cfg and cfg['hostname'] == 'microdot'
    cleanup()
