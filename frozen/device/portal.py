"""The setup and recovery pages: a deliberately tiny HTTP/1.0 server (no framework, so it works
even when the app or the framework cannot be imported, and fits an ESP8266's ~30 KB heap).

Pages:
- ``GET /setup``: the visible networks, an SSID/password form, the saved networks (forget)
- ``POST /setup``: save the network first in the list, then reboot to join it
- ``GET /``: the recovery page (the error that stopped the app, or safe mode; with an upload
  form and "restore the previous app", ``device.recovery``), else the setup page
- ``POST /upload?name=...`` (streamed; the password in ``X-Password``), ``POST /restore``: the
  recovery page's actions (``device.fix``)
- OS connectivity checks (Android ``/generate_204``, Apple ``/hotspot-detect.html``, Windows
  ``/connecttest.txt`` ``/ncsi.txt``, Firefox ``/success.txt``...) and any request for another
  host: ``302`` to ``http://<device ip>/setup``, which makes the OS open its captive-portal
  window.

Limits, as in the main server: a request's head, and then its body, must each arrive within
`TIMEOUT_S` (408), lines are at most `MAX_LINE` bytes and `MAX_HEADERS` header lines (400),
bodies `_MAX_BODY` (413), and at most `MAX_CONNECTIONS` are served at once (more get 503, as a
request that runs out of heap does: ``Retry-After: 1`` and `BUSY`'s page, which loads itself
again, and the portal goes on). Settings are
changed through ``config.change``: saved atomically with the previous file kept as ``.bak``, or,
if the save fails, undone in RAM too. Only
the device's own names are served (any other ``Host`` is sent to the setup page: DNS rebinding
runs nothing). A POST that a browser says comes from another site (``Origin``,
``Sec-Fetch-Site``) is refused (403).

The owner password (``device.owner``, docs/security.md): the first setup asks for one together
with the network; once there is one, every change here needs it (the ``owner`` form field),
except in safe mode, which takes the board in hand (a button at boot) and may set a new one.

``Portal(cfg, ip, error=None, ...)``; ``await portal.serve(port)``.
"""
import asyncio
import gc

from device import config

_MAX_BODY = 1024
MAX_LINE = 512
MAX_HEADERS = 32
TIMEOUT_S = 5
MAX_CONNECTIONS = 3
_SCAN_CACHE_S = 20
# The 503 (at the connection cap, or a MemoryError before anything was sent): one constant,
# written as it is, with no heap (in flash on a board). Its page is the framework's busy page,
# byte for byte (microdot.response.BUSY_PAGE, the device's look inline, loading itself again in
# 2 s): a copy, because importing microdot here would cost the portal the framework's heap
# (tests/device/test_portal_changes.py keeps the two the same).
BUSY = (b'HTTP/1.0 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Type: text/html; '
        b'charset=UTF-8\r\nContent-Length: 523\r\nCache-Control: no-store\r\nConnection: '
        b'close\r\n\r\n<!doctype html><meta http-equiv="refresh" content="2"><meta name="viewp'
        b'ort" content="width=device-width"><title>Busy</title><style>body{margin:0;font:16px/1.4'
        b' system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2430;background:#f2f4f7'
        b'}h1{margin:0;padding:.75rem 1rem;font-size:1.3rem;color:#fff;background:#0a66c2}p{marg'
        b'in:1rem}@media(prefers-color-scheme:dark){body{color:#e6e9ee;background:#14181e}h1{col'
        b'or:#0b1a2b;background:#5aa9ff}}</style><h1>Busy</h1><p>Service unavailable: busy, tryi'
        b'ng again in a moment.')
PROBES = (b'/generate_204', b'/gen_204', b'/hotspot-detect.html', b'/library/test/success.html',
          b'/connecttest.txt', b'/ncsi.txt', b'/redirect', b'/canonical.html', b'/success.txt',
          b'/check_network_status.txt', b'/mobile/status.php')

# The look of these pages: device/style.css, the one stylesheet of every page the device serves
# (the app's pages import it too), sent inline because these must work when the app does not.
# Icons are CSS or inline SVG.
_TOP = (b'<!doctype html><html lang=en><meta charset=utf-8><meta name=viewport content="width='
        b'device-width,initial-scale=1"><title>')
# --- _STYLE: made by scripts/build_assets.py from style.css (edit that) ---
_STYLE = (b'</title><style>:root{color-scheme:light dark;--fg:#1d2430;--bg:#f2f4f7;--card:#fff;--mu'
          b'te:#6b7380;--accent:#0a66c2;--ok:#1a7f37;--bad:#c62828;--line:#dde1e6;--tint:#fdecec;--'
          b'on:#fff}@media (prefers-color-scheme:dark){:root{--fg:#e6e9ee;--bg:#14181e;--card:#1e24'
          b'2c;--mute:#9aa3ae;--accent:#5aa9ff;--ok:#3fb950;--bad:#ff6b6b;--line:#2e3640;--tint:#3b'
          b'2326;--on:#0b1a2b}}*{box-sizing:border-box}[hidden]{display:none !important}body{margin'
          b':0;font:16px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);b'
          b'ackground:var(--bg)}a{color:var(--accent)}header{display:flex;flex-wrap:wrap;align-item'
          b's:center;justify-content:space-between;gap:.4rem .8rem;padding:.75rem 1rem;background:v'
          b'ar(--accent);color:var(--on)}h1{margin:0;font-size:1.3rem;overflow-wrap:anywhere}h2{mar'
          b'gin:1rem 0 .5rem;font-size:1.1rem}section>:first-child{margin-top:0}main{max-width:32re'
          b'm;margin:auto;padding:1rem}section{background:var(--card);border:1px solid var(--line);'
          b'border-radius:.6rem;padding:1rem;min-width:0;overflow-wrap:anywhere}form{display:grid;g'
          b'ap:.6rem;margin-top:.8rem}form>p{margin:0}label{display:grid;gap:.2rem;font-size:.9rem;'
          b'color:var(--mute)}input,select{font:inherit;font-size:1rem;color:var(--fg);background:v'
          b'ar(--bg);border:1px solid var(--line);border-radius:.4rem;padding:.5rem;min-height:2.6r'
          b'em;width:100%}button{font:inherit;min-height:2.6rem;padding:.4rem 1rem;border:0;border-'
          b'radius:.4rem;background:var(--accent);color:var(--on);cursor:pointer}button:disabled{op'
          b'acity:.5}label.check,.net{display:flex;align-items:center;gap:.6rem;color:var(--fg);fon'
          b't-size:1rem}label.check>input,.net>input{width:1.3rem;min-height:1.3rem;margin:0}.net{f'
          b'lex-wrap:wrap;padding:.4rem .6rem;border:1px solid var(--line);border-radius:.4rem}.net'
          b' span,.net label{flex:1 1 auto}.net label{flex-basis:10rem}.k{width:14px;height:14px;fi'
          b'll:var(--mute)}.b{display:inline-flex;align-items:flex-end;gap:2px;height:16px}.b i{wid'
          b'th:4px;background:var(--line)}.b i:nth-child(1){height:25%}.b i:nth-child(2){height:50%'
          b'}.b i:nth-child(3){height:75%}.b i:nth-child(4){height:100%}.s1 i:nth-child(1),.s2 i:nt'
          b'h-child(-n+2),.s3 i:nth-child(-n+3),.s4 i{background:var(--accent)}.bad{color:var(--bad'
          b')}.hint{color:var(--mute)}pre{white-space:pre-wrap;background:var(--tint);padding:.5rem'
          b';border-radius:.4rem;overflow:auto}pre.hint{background:var(--bg)}</style><header><h1>')
# --- end of _STYLE ---
_MAIN = b'</h1></header><main><section>'
_LOCK = ('<svg width=0 height=0 style=position:absolute><symbol id=k viewBox="0 0 24 24"><path '
         'd="M6 10V7a6 6 0 0112 0v3h1v12H5V10zm2 0h8V7a4 4 0 00-8 0z"/></symbol></svg>')


def bars(rssi):
    """Signal bars (1-4) of a received strength in dBm."""
    return 4 if rssi >= -55 else 3 if rssi >= -67 else 2 if rssi >= -75 else 1


_OWNER_FIELD = ('<label>Device password <input type=password name=owner maxlength=64 required '
                'autocomplete=current-password></label>')
_NEW_OWNER = ('<label>%s <input type=password name=owner minlength=8 maxlength=64%s '
              'autocomplete=new-password></label><label>Repeat it <input type=password '
              'name=owner2 maxlength=64 autocomplete=new-password></label>')


def escape(s):
    """HTML-escape a str."""
    return (str(s).replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')
            .replace('"', '&quot;'))


def unquote_plus(s):
    """Decode one application/x-www-form-urlencoded value (bytes -> str)."""
    s = s.replace(b'+', b' ')
    parts = s.split(b'%')
    out = bytearray(parts[0])
    for p in parts[1:]:
        try:
            out.append(int(p[:2], 16))
            out.extend(p[2:])
        except ValueError:
            out.extend(b'%' + p)
    return bytes(out).decode()


async def readline(reader):
    """One line from `reader`, read a byte at a time so that nothing past it is consumed;
    ValueError once it exceeds `MAX_LINE` bytes. b'' at the end of the stream."""
    line = b''
    while not line.endswith(b'\n'):
        c = await reader.read(1)
        if not c:
            break
        line += c
        if len(line) > MAX_LINE:
            raise ValueError('line too long')
    return line


def cross_site(host, origin, site):
    """True if a browser says a request comes from another site: ``Sec-Fetch-Site`` other than
    same-origin/none, or an ``Origin`` whose host is not the request's `host` (bytes)."""
    if site and site not in (b'same-origin', b'none'):
        return True
    return bool(origin) and origin.split(b'://', 1)[-1] != host


def parse_form(body):
    """b'a=1&b=x+y' -> {'a': '1', 'b': 'x y'} (first value wins)."""
    form = {}
    for pair in body.split(b'&'):
        if not pair:
            continue
        key, _, value = pair.partition(b'=')
        key = unquote_plus(key)
        if key not in form:
            form[key] = unquote_plus(value)
    return form


class Portal:
    """The portal server. `error` (str) turns ``/`` into the recovery page; `safe` (str, the
    reason) into the safe-mode page. `reboot` is called after a change that needs a restart
    (``machine.reset`` on a board); `scan` returns wifi.scan()-style dicts."""

    def __init__(self, cfg, ip, error=None, safe=None, reboot=None, scan=None,
                 config_path=None):
        self.cfg = cfg
        self.ip = ip
        self.error = error
        self.safe = safe
        self.reboot = reboot
        self.scan = scan
        self.config_path = config_path  # None: the settings' own file (config.current())
        self.requests = 0
        self.active = 0
        self.failures = {}  # the owner password's throttle table (device.owner.check)
        self.server = None
        self._scanned = None
        self._scan_time = 0
        self._reboot_after = False

    async def serve(self, port, host='0.0.0.0'):
        """Run the server until it is closed (``close()``)."""
        self.server = await asyncio.start_server(self.handle, host, port)
        print('portal: serving on port', port)
        await self.server.wait_closed()

    def close(self):
        if self.server:
            self.server.close()

    async def handle(self, reader, writer):
        if self.active >= MAX_CONNECTIONS:
            await self._refuse(writer)
            return
        self.active += 1
        try:
            await self._handle(reader, writer)
        finally:
            self.active -= 1

    async def _refuse(self, writer):
        try:
            writer.write(BUSY)
            await writer.drain()
        except OSError:
            pass
        try:
            writer.close()
            await writer.wait_closed()
        except OSError:
            pass

    async def _handle(self, reader, writer):
        gc.collect()  # pages are built in one piece: start from a tidy heap
        try:
            status, headers, body = await self.respond(reader, writer.get_extra_info('peername'))
        except asyncio.TimeoutError:
            status, headers, body = '408 Request Timeout', (), b'request timeout'
        except (ValueError, IndexError, EOFError) as exc:  # a bad request must not kill us
            status, headers, body = '400 Bad Request', (), b'bad request'
            print('portal: bad request:', exc)
        except MemoryError:  # short of heap for now: the client may try again, we keep serving
            status, headers, body = None, (), b''
            print('portal: out of memory')
        except Exception as exc:  # anything else: answer, keep serving
            status, headers, body = '500 Internal Server Error', (), b'server error'
            print('portal: error:', repr(exc))
        gc.collect()
        sent = False
        try:
            if status is None:
                raise MemoryError
            parts = body if isinstance(body, list) else (body,)
            size = 0
            for p in parts:  # str parts: their UTF-8 length
                size += len(p) if isinstance(p, bytes) else len(p.encode())
            head = ['HTTP/1.0 ', status, '\r\nContent-Length: ', str(size),
                    '\r\nConnection: close\r\nCache-Control: no-store\r\n']
            for h in headers:
                head.append(h)
                head.append('\r\n')
            head.append('\r\n')
            head = ''.join(head).encode()
            sent = True
            writer.write(head)
            for part in parts:  # each one on its way before the next: no copy of them all
                writer.write(part if isinstance(part, bytes) else part.encode())
                await writer.drain()
        except MemoryError:  # 503, unless part of the answer is out (then it just ends)
            body = parts = None
            if not sent:
                try:
                    writer.write(BUSY)
                    await writer.drain()
                except (OSError, MemoryError):
                    pass
        except OSError:
            pass
        finally:
            try:
                writer.close()
                await writer.wait_closed()
            except OSError:
                pass
        self.requests += 1
        if self._reboot_after:
            self._reboot_after = False
            await asyncio.sleep(0.5)  # let the page reach the browser
            if self.reboot:
                self.reboot()

    async def head(self, reader):
        """The request line and the headers the portal uses: (method, target, host, length,
        origin, sec-fetch-site, x-password). ValueError if malformed or over the limits."""
        line = await readline(reader)
        parts = line.split()
        if len(parts) < 2:
            raise ValueError('malformed request line')
        host, length, origin, site, password = b'', 0, None, None, b''
        for _ in range(MAX_HEADERS + 1):
            h = await readline(reader)
            if h in (b'\r\n', b'\n', b''):
                break
            name, _, value = h.partition(b':')
            name = name.strip().lower()
            if name == b'host':
                host = value.strip()
            elif name == b'content-length':
                length = int(value.strip())
            elif name == b'origin':
                origin = value.strip()
            elif name == b'sec-fetch-site':
                site = value.strip()
            elif name == b'x-password':
                password = value.strip()
        else:
            raise ValueError('too many header lines')
        return parts[0], parts[1], host, length, origin, site, password

    def own_host(self, host):
        """True if `host` (a Host header, bytes) names this device: its address or hostname
        (with ``.local``), with or without a port. Nothing that merely starts with them."""
        name = host.split(b':')[0].lower()
        mine = self.cfg['hostname'].lower().encode()
        return name in (self.ip.encode(), mine, mine + b'.local')

    async def respond(self, reader, peer=None):
        method, target, host, length, origin, site, password = await asyncio.wait_for(
            self.head(reader), TIMEOUT_S)
        if method == b'POST' and (self.error or self.safe) and target.startswith(b'/upload?'):
            from device import fix  # streamed: not limited to _MAX_BODY
            refuse = cross_site(host, origin, site) or (host and not self.own_host(host))
            return await fix.upload(self, reader, target, length, password.decode(), refuse, peer)
        if length > _MAX_BODY:
            return '413 Payload Too Large', (), b'too large'
        body = await asyncio.wait_for(reader.readexactly(length), TIMEOUT_S) if length else b''
        path = target.split(b'?')[0]
        # Captive portal: connectivity checks and foreign hosts go to the setup page.
        if path in PROBES or (host and not self.own_host(host)):
            return self.redirect('/setup')
        if method == b'POST':
            if cross_site(host, origin, site):
                return '403 Forbidden', (), b'cross-site request refused'
            return self.post(path, parse_form(body), peer)
        if method not in (b'GET', b'HEAD'):
            return '405 Method Not Allowed', ('Allow: GET, POST',), b'method not allowed'
        if path == b'/setup':
            return self.page('Wi-Fi setup', self.setup_html())
        if path == b'/':
            if self.error or self.safe:
                from device import recovery
                return self.page(recovery.title(self), [recovery.html(self)] + self.setup_html())
            return self.page('Wi-Fi setup', self.setup_html())
        return self.redirect('/setup')

    def redirect(self, where):
        port = self.cfg['port']
        host = self.ip if port == 80 else '%s:%d' % (self.ip, port)
        return '302 Found', ('Location: http://%s%s' % (host, where),), b''

    def page(self, title, html, status='200 OK'):
        """A page in the common design; `html` is a str or a list of them. Its body is a list
        of parts, sent one by one, so that no page is ever copied into one large block (the
        style is a constant; a small heap seldom has a large free block)."""
        title = title.encode()
        parts = [_TOP, title, _STYLE, title, _MAIN]
        parts.extend(html if isinstance(html, list) else (html,))
        return status, ('Content-Type: text/html; charset=utf-8',), parts

    def owner_set(self):
        """True if changes need the owner password (one is set and this is not safe mode)."""
        return bool(self.cfg.get('owner')) and not self.safe

    def owner_field(self):
        """The form field a change needs ('' when none is needed)."""
        return _OWNER_FIELD if self.owner_set() else ''

    def recovery_html(self):
        from device import recovery
        return recovery.html(self)

    def networks(self):
        """Scan results, cached for a while (a scan blocks the radio for ~2 s)."""
        import time
        now = time.time()
        if self.scan and (self._scanned is None or now - self._scan_time > _SCAN_CACHE_S):
            self._scanned, self._scan_time = self.scan(), now
        return self._scanned or []

    def setup_html(self):
        out = ['<h2>Join a network</h2><form method=post action=/setup>', _LOCK]
        for n in self.networks():
            out.append('<label class=net><input type=radio name=ssid value="%s"><span>%s</span>'
                       '%s<b class="b s%d" title="%d dBm"><i></i><i></i><i></i><i></i></b>'
                       '</label>' % (escape(n['ssid']), escape(n['ssid']),
                                     '<svg class=k><title>secured</title><use href=#k /></svg>'
                                     if n.get('secure') else '', bars(n['rssi']), n['rssi']))
        out.append('<label>Other network <input type=text name=other maxlength=32></label>'
                   '<label>Wi-Fi password <input type=password name=password maxlength=64>'
                   '</label><label class=check><input type=checkbox onchange="this.form.password.'
                   'type=this.checked?\'text\':\'password\'">Show the password</label>')
        if self.owner_set():
            out.append(_OWNER_FIELD)
        else:  # first setup, or safe mode: a new owner password (optional in safe mode)
            out.append('<h2>This device</h2><label>Its name: you will open it at '
                       'http://NAME.local/ <input name=hostname maxlength=32 value="%s" '
                       'autocapitalize=off></label>' % escape(self.cfg['hostname']))
            out.append(_NEW_OWNER % ('A password for this device (8 or more characters): every'
                                     ' change needs it' if not self.safe else
                                     'New device password (only to replace a forgotten one)',
                                     '' if self.safe else ' required'))
        out.append('<button>Save and reboot</button></form>')
        saved = self.cfg['networks']
        if saved:
            out.append('<h2>Saved networks</h2>')
            for n in saved:
                out.append('<form method=post action=/forget class=net><span>%s</span><input '
                           'type=hidden name=ssid value="%s">%s<button>Forget</button></form>'
                           % (escape(n['ssid']), escape(n['ssid']), self.owner_field()))
        return out  # a list: page() sends it piece by piece

    def allowed(self, form, peer):
        """None if `form` may change things, else the refusal (wrong or throttled password)."""
        if not self.owner_set():
            return None
        import sys
        from device import owner
        before = set(sys.modules)
        try:
            ok = owner.check(self.cfg, form.get('owner', ''), owner.peer(peer), self.failures)
        finally:  # the hash's modules (the framework's HMAC) leave the heap again
            for name in set(sys.modules) - before:
                sys.modules.pop(name, None)
        if ok is True:
            return None
        if ok:
            return self.page('Wi-Fi setup', ['<p>Too many wrong passwords: wait %d s.</p>' % ok]
                             + self.setup_html(), '429 Too Many Requests')
        return self.page('Wi-Fi setup', ['<p>Wrong device password.</p>'] + self.setup_html(),
                         '401 Unauthorized')

    def new_owner(self, form):
        """The new owner password of the setup form ('' for none), or ValueError."""
        from device import owner
        new = form.get('owner', '')
        if self.owner_set() or (self.safe and not new):
            return ''
        reason = owner.valid(new) or (new != form.get('owner2') and 'the two passwords differ')
        if reason:
            raise ValueError(reason)
        return new

    def new_name(self, form):
        """The device name of the setup form ('' to keep it), or ValueError."""
        name = form.get('hostname', '').strip().lower()
        if not name or name == self.cfg['hostname']:
            return ''
        if len(name) > 32 or name[0] == '-' or name[-1] == '-' or \
                [c for c in name if not ('a' <= c <= 'z' or '0' <= c <= '9' or c == '-')]:
            raise ValueError('the device name takes a-z, 0-9 and "-" (not first or last), '
                             'at most 32 characters')
        return name

    def saved_html(self, ssid):
        """What the page says after the setup: where to find the device next."""
        from device import wifi
        name = escape(self.cfg['hostname'])
        port = self.cfg['port']
        url = 'http://%s.local%s/' % (name, '' if port == 80 else ':%d' % port)
        return ('<h2>Saved</h2><p>The device restarts and joins <b>%s</b>.</p><p>Connect this '
                'phone or computer to <b>%s</b> again, then open <a href="%s">%s</a>.</p><p '
                'class=hint>If that name does not open (some phones cannot look up .local '
                'names), find <b>%s</b> and its address in your router\'s list of devices, or '
                'read the address the device prints on its USB console (<code>make repl</code>).'
                '</p><p class=hint>If it cannot join, its setup network <b>%s</b> comes back.'
                '</p>' % (escape(ssid), escape(ssid), url, url, name,
                          escape(wifi.ap_name_cached() or wifi.ap_name(self.cfg))))

    def _setup(self, cfg, ssid, password, name, new):
        """The setup form's edit of the settings (``config.change``: saved, or all undone if
        anything fails): the network first in the list, the device name, the owner password.
        Returns the page to answer (ValueError for a bad network)."""
        config.add_network(cfg, ssid, password)
        if name:
            cfg['hostname'] = name
        done = self.page('Saved', self.saved_html(ssid))  # before the hash fills the heap
        if new:
            from device import owner
            owner.set_password(cfg, new)
            print('portal: owner password set')
        return done

    def post(self, path, form, peer=None):
        if path in (b'/setup', b'/forget', b'/reboot', b'/restore'):
            refused = self.allowed(form, peer)
            if refused:
                return refused
        if path == b'/setup':
            ssid = form.get('other') or form.get('ssid') or ''
            try:
                new = self.new_owner(form)
                name = self.new_name(form)
                done = config.change(self.cfg, self._setup, ssid, form.get('password', ''), name,
                                     new, path=self.config_path)
            except ValueError as exc:
                return self.page('Wi-Fi setup', ['<p>%s</p>' % escape(exc)] + self.setup_html(),
                                 '400 Bad Request')
            print('portal: saved network', repr(ssid))
            self._reboot_after = True
            return done
        if path == b'/forget':
            config.change(self.cfg, config.forget_network, form.get('ssid', ''),
                          path=self.config_path)
            return self.redirect('/setup')
        if path == b'/leave-safe-mode':
            from device import safemode
            safemode.clear()
            self._reboot_after = True
            return self.page('Rebooting', '<p>Leaving safe mode.</p>')
        if path == b'/restore' and (self.error or self.safe):
            from device import fix
            page, self._reboot_after = fix.restore(self)
            return page
        if path == b'/reboot':
            self._reboot_after = True
            return self.page('Rebooting', '<p>Rebooting.</p>')
        return '404 Not Found', (), b'not found'
