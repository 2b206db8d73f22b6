"""The rare and slow steps of ``ui.auth``'s checks, loaded only for them: HTTP Basic credentials
not seen before (checked with ``auth.password_ok``), the refusals, and the names the device
answers to."""
import sys

from ui import auth


def basic(request, value):
    """HTTP Basic credentials `value` (base64 of ``admin:password``): see ``auth.password_ok``."""
    import binascii
    try:
        user, _, password = binascii.a2b_base64(value.strip()).decode().partition(':')
    except (ValueError, UnicodeError):
        return False
    return auth.password_ok(request, password) if user == auth.USER else False


def refuse(request, page, status, message, wait=0):
    """Pages (GET outside /api/) are redirected to `page`; the rest get the JSON error."""
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


def decide(request):
    """What ``auth.check`` could not settle quickly: None to go on, or the refusal."""
    if not auth.record():
        if request.path == '/password':
            return None
        return refuse(request, '/password', 403, 'no owner password yet: set one at /password')
    header = request.headers.get('Authorization', '')
    if header[:6].lower() == 'basic ':
        ok = basic(request, header[6:])
        if ok is True:
            auth.state['basic'][:] = auth.basic_seen(request)  # in place: nothing new to keep
            return None
        if ok:
            return refuse(request, '/login', 429, 'too many wrong passwords: wait %d s' % ok, ok)
    return refuse(request, '/login', 401,
                  'log in first (or HTTP Basic: -u %s:PASSWORD)' % auth.USER)


def own_names():
    """The names the device answers to (see ``ui.auth``), as they are now."""
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
