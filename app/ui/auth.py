"""Who may use the device UI: only the owner, and only under the device's own names
(docs/security.md). ``check(request)`` runs before every route of the app (``ui.install``):

1. **Host allow-list**: the ``Host`` header must name the device (its IP addresses, hostname,
   ``hostname.local``, the names in the setting ``"hosts"``; ``127.0.0.1`` and ``localhost`` on
   the unix port of ``make run``), else ``421``. A web page that re-points its own name at the
   device (DNS rebinding) is refused here.
2. **Cross-site check**: a state-changing request that a browser says comes from another site
   gets ``403``.
3. **Owner**: without an owner password every page leads to ``/password`` (set one) and the API
   answers ``403``. With one, a request (``/password`` too) needs a session cookie (from ``/login``) or HTTP Basic
   credentials (``curl -u admin:PASSWORD``), else pages redirect to ``/login`` and the API
   answers ``401``. `PUBLIC` paths and ``/static/`` assets need neither.

Sessions live in RAM only (`MAX_SESSIONS`, each ending `session_s` seconds after its last use,
a setting, default `SESSION_S`), so a restart or a new password ends them all.
"""
import time

SESSION_S = 12 * 3600
MAX_SESSIONS = 4
COOKIE = 'owner'
USER = 'admin'  # the user name HTTP Basic expects
PUBLIC = ['/login']  # your own public paths may be appended

sessions = {}  # token -> time.time() at which it ends (ui.login starts and ends them)
state = {}  # 'record': the owner password's record, 'ttl': session_s, 'hosts': allowed names,
# 'basic': the last HTTP Basic header that passed, hashed


def load(cfg=None):
    """(Re)read what the checks need from the settings (`cfg`, else the settings file)."""
    if cfg is None:
        from device import config
        cfg = config.current()
    state['record'] = cfg.get('owner') or ''
    state['ttl'] = cfg.get('session_s') or SESSION_S
    state['hosts'] = None
    state.pop('basic', None)
    return cfg


def record():
    """The owner password's record ('' if none is set)."""
    if 'record' not in state:
        load()
    return state['record']


# --- 1. host names --------------------------------------------------------------------------------

def _own_names():
    """The names the device answers to (see ``ui.auth``), as they are now."""
    import sys
    from device import config, wifi
    cfg = config.current()
    name = cfg['hostname'].lower()
    names = [name, name + '.local'] + [h.lower() for h in cfg.get('hosts') or ()]
    for wlan in (wifi.sta(), wifi.ap()):
        try:
            if wlan.active():
                names.append(wifi.ip_of(wlan))
        except (OSError, ValueError, AttributeError):
            pass
    if sys.platform == 'linux' or sys.implementation.name != 'micropython':
        names.extend(('127.0.0.1', 'localhost', '::1'))  # the unix port: make run and the tests
    return names


def host_name(header):
    """The name in a ``Host`` header: without the port, lower case, no trailing dot."""
    host = header.strip().lower()
    if host.startswith('['):  # [v6 address]:port
        host = host[1:].partition(']')[0]
    elif host.count(':') == 1:
        host = host.partition(':')[0]
    return host[:-1] if host.endswith('.') else host


def own_host(request):
    """True if the request's ``Host`` names this device (no Host header: HTTP/1.0, allowed)."""
    header = request.headers.get('Host')
    if header is None:
        return True
    host = host_name(header)
    if state.get('hosts') and host in state['hosts']:
        return True
    state['hosts'] = _own_names()  # addresses change: look again before refusing
    return host in state['hosts']


# --- 2. cross-site --------------------------------------------------------------------------------

def cross_site(request):
    """True if a browser says the request comes from another site (CSRF): ``Sec-Fetch-Site``, or
    an ``Origin`` other than the request's own host. curl and scripts send neither."""
    h = request.headers
    if h.get('Sec-Fetch-Site', 'same-origin') not in ('same-origin', 'none'):
        return True
    origin = h.get('Origin')
    return origin is not None and origin.split('://', 1)[-1] != h.get('Host')


# --- 3. the owner --------------------------------------------------------------------------------

def session_of(request):
    """The request's valid session token (its use extends it), or None."""
    token = request.cookies.get(COOKIE)
    end = sessions.get(token) if token else None
    if end is None:
        return None
    now = time.time()
    if end <= now:
        del sessions[token]
        return None
    sessions[token] = now + state.get('ttl', SESSION_S)
    return token


def client(request):
    """The client's address (the key of the login throttle)."""
    addr = request.client_addr
    if isinstance(addr, (tuple, list)):
        return addr[0]
    if isinstance(addr, (bytes, bytearray)) and len(addr) >= 8:  # the unix port: a sockaddr_in
        return '%d.%d.%d.%d' % (addr[4], addr[5], addr[6], addr[7])
    return str(addr)


def password_ok(request, password):
    """``device.owner.check`` of `password` for this client: True, False or seconds to wait."""
    from device import owner
    from ui import forget
    try:
        return owner.check({'owner': record()}, password, client(request))
    finally:
        forget('microdot.jwt')  # its HMAC is needed again only at the next check


def _basic_ok(request, value):
    import binascii
    try:
        user, _, password = binascii.a2b_base64(value.strip()).decode().partition(':')
    except (ValueError, UnicodeError):
        return False
    return password_ok(request, password) if user == USER else False


def _basic(request):
    # True/False/seconds to wait for HTTP Basic credentials; None if there are none. The last
    # header that passed is remembered (hashed), so a script's requests cost one slow check.
    import hashlib
    auth = request.headers.get('Authorization', '')
    if auth[:6].lower() != 'basic ':
        return None
    seen = hashlib.sha256((record() + auth).encode()).digest()
    if state.get('basic') == seen:
        return True
    ok = _basic_ok(request, auth[6:])
    if ok is True:
        state['basic'] = seen
    return ok


def _refuse(request, page, status, message, wait=0):
    if request.method == 'GET' and not request.path.startswith('/api/'):
        from microdot import redirect
        from microdot.urlcodec import urlencode
        return redirect(page + ('?next=' + urlencode(request.url) if page == '/login' else ''))
    headers = {}
    if wait:
        headers['Retry-After'] = str(wait)
    elif status == 401 and 'Sec-Fetch-Mode' not in request.headers:
        headers['WWW-Authenticate'] = 'Basic realm="device", charset="UTF-8"'  # not browsers:
        # they would show their own password dialog over the page's
    return {'error': message}, status, headers


async def check(request):
    """The before-request hook: None to go on, or the refusal."""
    if not own_host(request):
        return {'error': 'unknown host name: use the address or name of the device'}, 421
    if request.method not in ('GET', 'HEAD', 'OPTIONS') and cross_site(request):
        return {'error': 'cross-site request refused'}, 403
    path = request.path
    if path.startswith('/static/') or path in PUBLIC:
        return None
    if not record():
        if path == '/password':
            return None
        return _refuse(request, '/password', 403, 'no owner password yet: set one at /password')
    if session_of(request):
        return None
    ok = _basic(request)
    if ok is True:
        return None
    if ok:
        return _refuse(request, '/login', 429, 'too many wrong passwords: wait %d s' % ok, ok)
    return _refuse(request, '/login', 401, 'log in first (or HTTP Basic: -u %s:PASSWORD)' % USER)
