"""Who may use the device UI: only the owner, and only under the device's own names
(docs/security.md). ``check(request)`` runs before every route of the app (``ui.install``):

1. **Host allow-list**: the ``Host`` header must name the device (its IP addresses, hostname,
   ``hostname.local``, the names in the setting ``"hosts"``; ``127.0.0.1`` and ``localhost`` on
   the unix port of ``make run``), else ``421``. A web page that re-points its own name at the
   device (DNS rebinding) is refused here.
2. **Cross-site check**: a state-changing request that a browser says comes from another site
   gets ``403``.
3. **Owner**: without an owner password every page leads to ``/password`` (set one) and the API
   answers ``403``. With one, a request (``/password`` too) needs a session cookie (from
   ``/login``) or HTTP Basic credentials (``curl -u admin:PASSWORD``), else pages redirect to
   ``/login`` and the API answers ``401`` (``429`` while a client must wait after wrong
   passwords). `PUBLIC` paths and ``/static/`` assets need neither.

The hot path (a session cookie, or the HTTP Basic header that passed last) is here; the rest is
in ``ui.verify``, loaded only when needed.

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
failures = {}  # the password throttle's table (password_ok): client -> [count, wait until]
state = {}  # 'record': the owner password's record, 'ttl': session_s, 'hosts': allowed names,
# 'basic': the last HTTP Basic header that passed, hashed


def load(cfg=None):
    """(Re)read what the checks need from the settings (`cfg`, else the settings file). What
    stays in RAM is made here, at start-up, not in the middle of a request: a long-lived object
    made there would split a small heap."""
    if cfg is None:
        from device import config
        cfg = config.current()
    state['record'] = cfg.get('owner') or ''
    state['ttl'] = cfg.get('session_s') or SESSION_S
    state['basic'] = bytearray(32)  # digest of the last Basic header that passed (below)
    state['hosts'] = _cold().own_names()
    return cfg


def follow(cfg):
    """Put changed settings to use at once: the session lifetime (``session_s``: each open
    session now ends the new lifetime after its last use) and the allowed names (``hosts``,
    ``hostname``: looked up again on the next request, so a removed name is refused from then
    on)."""
    ttl = cfg.get('session_s') or SESSION_S
    change = ttl - state.get('ttl', ttl)
    if change:
        for token in sessions:  # values replaced in place: the dict does not grow
            sessions[token] += change
    state['ttl'] = ttl
    state['hosts'] = None


def new_owner(cfg, ended):
    """Put a saved change of the owner password to use at once (a new one, or none after a
    factory reset): the record is the settings' `cfg`, the sessions `ended` end (their tokens,
    listed before the change: a session started for it stays), and the last HTTP Basic header
    that passed is forgotten. It makes no object, so it cannot meet a MemoryError: it comes
    after the change is saved, where nothing may fail (a 503 for a saved change, or the old
    password accepted until the restart after a factory reset)."""
    state['record'] = cfg.get('owner') or ''
    for token in ended:
        sessions.pop(token, None)
    basic = state.get('basic') or ()  # (none before `load`)
    for i in range(len(basic)):
        basic[i] = 0


def _cold():
    # ui.verify: the rare and slow steps, loaded for one call (the caller's reference keeps it)
    from ui import forget, verify
    forget('ui.verify')
    return verify


def record():
    """The owner password's record ('' if none is set)."""
    if 'record' not in state:
        load()
    return state['record']


# --- 1. host names -------------------------------------------------------------------------------

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
    state['hosts'] = _cold().own_names()  # addresses change: look again before refusing
    return host in state['hosts']


# --- 2. cross-site -------------------------------------------------------------------------------

def cross_site(request):
    """True if a browser says the request comes from another site (CSRF): ``Sec-Fetch-Site``, or
    an ``Origin`` other than the request's own host. curl and scripts send neither."""
    h = request.headers
    if h.get('Sec-Fetch-Site', 'same-origin') not in ('same-origin', 'none'):
        return True
    origin = h.get('Origin')
    return origin is not None and origin.split('://', 1)[-1] != h.get('Host')


# --- 3. the owner --------------------------------------------------------------------------------

def basic_seen(request):
    """A digest of the request's Authorization header (None without one): the last one that
    passed is remembered, so a script's requests cost one slow password check, not one each."""
    header = request.headers.get('Authorization')
    if header:
        import hashlib
        return hashlib.sha256((record() + header).encode()).digest()
    return None


def password_ok(request, password):
    """``device.owner.check`` of `password` against the owner password, throttled per client
    address in `failures`: True, False (wrong, or none is set) or the seconds the client must
    still wait (an int > 0). Slow (a PBKDF2 hash): the login, HTTP Basic credentials not seen
    before and a password change use it. ``device.owner`` and its HMAC (``hmacsha256``) are
    dropped again afterwards (frozen code: importing them again is cheap)."""
    from device import owner
    from ui import forget
    try:
        return owner.check({'owner': record()}, password, owner.peer(request.client_addr),
                           failures)
    finally:
        forget('device.owner')
        forget('hmacsha256')


def _basic_known(request):
    seen = basic_seen(request)
    return seen is not None and seen == state['basic']


def still_owner(request):
    """For a long answer (the live stream): True while the credentials it came with still hold
    (False once its session has ended or expired, or the password has changed)."""
    token = request.cookies.get(COOKIE)
    if token:
        return 0 < sessions.get(token, 0) - time.time() <= state['ttl']
    return _basic_known(request)


def session_of(request):
    """The request's valid session token (its use extends it), or None."""
    token = request.cookies.get(COOKIE)
    end = sessions.get(token) if token else None
    if end is None:
        return None
    now = time.time()
    if not 0 < end - now <= state['ttl']:  # over, or the clock was set back
        del sessions[token]
        return None
    sessions[token] = now + state['ttl']
    return token


async def check(request):
    """The before-request hook: None to go on, or the refusal."""
    if not own_host(request):
        return {'error': 'unknown host name: use the address or name of the device'}, 421
    if request.method not in ('GET', 'HEAD', 'OPTIONS') and cross_site(request):
        return {'error': 'cross-site request refused'}, 403
    path = request.path
    if path.startswith('/static/') or path in PUBLIC:
        return None
    if record() and (session_of(request) or _basic_known(request)):
        return None
    return _cold().decide(request)  # no password yet, HTTP Basic to check, or a refusal
