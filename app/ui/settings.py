"""``/api/settings``: the device's settings as the settings page edits them (owner only, like
every route of the UI), through the one copy in RAM (``device.config``), saved atomically.

- ``GET``: ``{"hostname", "ap_password_set", "port", "pins": [{"name", "pin", "mode",
  "invert", "on"}, ...]}`` (``mode``: ``switch``, ``pwm`` or ``input``; ``on``: the output's
  state at power-on). Secrets are never sent: only whether an access-point password is set.
- ``POST`` with any of those keys (``ap_password``: the new one, ``""`` for an open access point,
  ``"auto"`` for one made for this board; ``pins``: the whole new list): every field is checked
  first; a bad one gets ``400 {"error": message, "field": key}`` and nothing is saved. Otherwise
  the settings are saved and take effect at once (the pins, and for ``ui.auth`` the name the
  device answers to), except those in `LATER`: a changed one is listed in the answer's
  ``"restart"`` (the names of the settings that count from the next start; ``[]``: none).

The owner password is changed on ``/password`` (``ui.password``), which ends the other sessions.
``ui.backup`` uses `check` for a restore.
"""
MODES = ('switch', 'pwm', 'input')
RESERVED = ('safe_mode', 'bootsel')  # inputs of the boot package, not listed or changed here
# settings read only at start-up: the server's port, the name the radio gives DHCP and mDNS,
# the setup access point and its DNS (opened at start-up), the hardware watchdog
LATER = ('port', 'hostname', 'ap_ssid', 'ap_password', 'dns_port', 'watchdog_ms')


class Bad(Exception):
    """A field that cannot be saved: ``Bad(field, message)``."""


def spec(name, value):
    """A pin entry of the settings (a GPIO number or name, or a dict) as the page's dict."""
    d = value if isinstance(value, dict) else {'pin': value}
    mode = d.get('mode')
    return {'name': name, 'pin': d.get('pin'), 'mode': mode if mode in MODES else 'switch',
            'invert': bool(d.get('invert')), 'on': bool(d.get('on'))}


def check(data, cfg):
    """The changes `data` asks for, checked against the settings `cfg`: a dict of new values
    (``pins``: the whole new pins setting). Raises ``Bad(field, message)``. The checks are
    ``ui.fields``, loaded for the check and dropped after it: a save's peak of heap, which
    comes later, is without their code. An import of them that meets a MemoryError is dropped
    too (``device.launcher.unload``: MicroPython keeps the partly-run module in its slot of
    the modules' table until then)."""
    from ui import forget
    try:
        from ui import fields
        return fields.check(data, cfg)
    finally:
        forget('ui.fields')


def view(cfg):
    """The settings as ``GET /api/settings`` shows them."""
    from device import config
    pins = cfg['pins']
    return {'hostname': cfg['hostname'], 'ap_password_set': bool(cfg.get('ap_password')),
            'port': config.saved('port'),
            'pins': [spec(n, pins[n]) for n in sorted(pins) if n not in RESERVED and
                     pins[n] is not None]}


def _apply(cfg, changes, made):
    """``config.change``'s edit: the `changes` made in RAM, then, before they are written, the
    modules that put them to use (`ready`) and the answer (`answer`: the settings as saved,
    with `made[0]`, the names that count from the next start, which the answer replaces): a
    MemoryError on the way is a 503 with nothing saved."""
    import gc
    from device import config
    for key in changes:
        config.set_saved(key, changes[key])
    ready(changes)
    gc.collect()  # the request's garbage first: at 56wK the answer and the save then fit
    d = view(cfg)
    d['restart'] = made[0]
    made[0] = answer(d)


def answer(data):
    """`data` as a JSON response ready to send, for the answer to a change made BEFORE the change
    is saved: a MemoryError meeting it is the server's 503 with nothing saved, and once saved
    nothing is left to allocate but the response's head. (The framework's own encoding of a
    returned dict came after the save: a 503 for a saved change.)

    The body is a tuple of pieces of at most about 96 bytes, made as the settings file
    is written (``device.configwrite.dump``), its length set: the whole text in one string
    needs a free block of its size and, while it grows and is encoded, two (400 B and more
    with four pins). A board whose heap is in pieces has none of that size for many seconds
    at a time: a save, changed or not, was then 503 on every retry (bench/save_heap.py at
    64wK: a fresh board's first real save, 20 of 20 tries, 4 runs of 4)."""
    from device import configwrite
    from microdot import Response
    body = []

    def emit(piece):
        body.append(piece.encode())
    configwrite.dump(data, emit, 96)  # (a pin's JSON is about 70 characters)
    size = 0
    for piece in body:
        size += len(piece)
    # a tuple: a list body would be encoded as JSON again
    return Response(tuple(body), 200, {'Content-Length': str(size),
                                       'Content-Type': 'application/json; charset=UTF-8'})


def later(changes):
    """The names of the `changes` in `LATER` that differ from the saved values, sorted: what
    counts only from the next start."""
    from device import config
    return sorted(k for k in changes if k in LATER and changes[k] != config.saved(k))


def ready(changes):
    """Load what `saved` needs to put `changes` to use, before they are saved (`_apply`): a
    MemoryError here (the server's 503: try again) has saved nothing. (After the save, an
    import that found no heap answered 503 for settings that were saved.)"""
    from ui import auth, log  # noqa: F401
    if 'pins' in changes:
        from ui import pinstate  # noqa: F401


def _pins():
    """Set the pins up again from the settings (they changed): the old setup goes (a PWM
    output stopped, the live stream told), the new one is made now, or short of heap part way,
    at the pins' next use (``ui.pinstate.outputs``): none is kept half set up."""
    import ui
    from ui import pinstate
    for p in ui.state.pop(pinstate.KEY, {}).values():
        if p[5] is not None:  # leave the pin alone: no PWM any more
            p[5].deinit()
    pinstate.bump()
    try:
        pinstate.outputs()
    except MemoryError:
        ui.state.pop(pinstate.KEY, None)
        print('ui: the pins are set up at their next use (short of heap now)')


def saved(cfg, changes, text=None):
    """After `changes` were saved: put them to use at once (the login's settings: ``ui.auth``;
    the pins: `_pins`; their modules are loaded already: `ready`) and log `text` (default: the
    names saved). Short of heap for the log line, it is left out: the answer, ready before the
    save, still says what was saved."""
    from ui import auth, forget, log
    try:
        forget('device.configwrite')  # the save's module: its heap for the pins set up now
    except MemoryError:
        pass
    auth.follow(cfg)
    if 'pins' in changes:
        _pins()
    try:
        log.add(text or 'settings saved: ' + (', '.join(sorted(changes)) or 'nothing'))
    except MemoryError:
        pass


def store(changes):
    """Save the checked `changes` (``check``) that differ from the saved settings through
    ``device.config`` and put them to use (`saved`). Returns the answer of the ``POST``, made
    ready (`answer`) before the write: the settings as saved (`view`) and in ``"restart"``
    those that count from the next start (`later`). With nothing to change, nothing is written
    or set up again, and the answer is the settings as they are: the settings page sends the
    whole form, and what it leaves as it is needs no write, no new setup (the outputs of an
    unchanged pin list keep their state) and none of the heap those take (the save's module,
    ``ui.pinstate``), so that saving on a short heap, a busy board's, mostly fits."""
    from device import config
    cfg = config.current()
    changed = {}
    for key in changes:
        try:
            same = changes[key] == config.saved(key)
        except KeyError:
            same = False
        if not same:
            changed[key] = changes[key]
    changes = changed
    if not changes:
        d = view(cfg)
        d['restart'] = []
        return answer(d)
    made = [later(changes)]
    config.change(cfg, _apply, changes, made)
    saved(cfg, changes)
    return made[0]


async def api(request, path, name):
    from device import config
    from ui import params
    cfg = config.current()
    if request.method == 'POST':
        data = params(request)
        try:
            changes = check(data, cfg)
        except Bad as exc:
            return {'error': exc.args[1], 'field': exc.args[0]}, 400
        return store(changes)
    return answer(view(cfg))
