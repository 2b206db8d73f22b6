"""The page ``/password`` of the device UI: set the owner password (``password``,
``confirm``), the first time without credentials, later with the current one (``current``);
every session ends, this browser gets a new one. Loaded only while it is answered (the
first-time setup and a change are rare: a login does not load this), and after the current
password has been checked (``ui.install``'s handler)."""
from ui import auth
from ui.authpage import failed, note, page

FIELD = ('<label>%s <input name="%s" type="password" required maxlength="64" '
         'autocomplete="%s"%s></label>')


def password(request, ok=None):
    """The page, or a new password saved (`ok`: ``auth.password_ok``'s answer for the form's
    ``current`` password, which the caller gets before it loads this module; None: not
    checked, refused unless no password is set yet)."""
    from device import ownerset
    first = not auth.record()
    status, text, headers = 200, '', None
    if request.method == 'POST':
        form = request.form or {}
        new = form.get('password', '')
        if first:
            ok = True
        if ok is not True:
            status, text, headers = failed(ok)
            if not ok:
                text = 'The current password is wrong.'
        else:
            text = ownerset.valid(new) or (new != form.get('confirm') and
                                           'The two passwords differ.')
            status = 400
        if not text:
            return _change(new, first)
    intro = ('<p>Choose the password that protects this device: every change needs it. '
             'Scripts use it too: <code>curl -u admin:PASSWORD</code>.</p>' if first else '')
    return page('Set a password' if first else 'Change the password', intro + note(text) +
                '<form method="post" action="/password">' +
                ('' if first else FIELD % ('Current password', 'current',
                                           'current-password', ' autofocus')) +
                FIELD % ('New password', 'password', 'new-password',
                         ' minlength="%d"' % ownerset.MIN_LENGTH) +
                FIELD % ('Repeat it', 'confirm', 'new-password', '') +
                '<div class="row"><button type="submit">Save</button></div></form>',
                status, headers)


def _change(new, first):
    """Save the password `new`: every session ends but a new one for this browser. What can
    meet a MemoryError (the answer, its session, the list of the sessions that end) is made
    before the save: a 503 then with nothing saved. Once saved nothing is made (``auth.new_owner``;
    short of heap the log's line is left out), so a saved change is never answered 503."""
    from device import config, ownerset
    from ui import log
    from ui.login import end_sessions, enter, start_session
    cfg = config.current()
    ended = list(auth.sessions)
    token = start_session()  # this browser's (valid once the answer brings it)
    res = enter('/', token)
    try:
        config.change(cfg, ownerset.set_password, new)
    except BaseException:
        end_sessions(token)
        raise
    auth.new_owner(cfg, ended)
    log.add('owner password', 'set' if first else 'changed')
    return res


async def answer(request, what, ok=None):
    """The handler of ``/password`` (`ok`: see `password`). What setting a password loads
    (``device.ownerset``, ``device.owner``, ``hmacsha256``) is dropped again afterwards."""
    from ui import forget
    try:
        return password(request, ok)
    finally:
        for name in ('device.ownerset', 'device.owner', 'hmacsha256'):
            forget(name)
