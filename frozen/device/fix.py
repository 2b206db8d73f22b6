"""The recovery page's actions: upload a fixed file, or restore the previous version of the app
(``device.install`` keeps it), without the app or the framework (``device.recovery`` is the
form on the page).

Used by ``device.portal`` while it shows the recovery page (the app failed, or safe mode):

- ``POST /upload?name=main.py``: the body is the file itself (the page sends it with
  ``fetch``, no multipart to parse); a ``.py`` must compile; installed like an upload of the
  web UI (the replaced file kept); never one of the runtime's own files, the settings above all
  (``device.kept``). Answers a line of text.
- ``POST /restore``: put the previous version back and reboot.

Both need the owner password, as the portal's other changes (``Portal.allowed``: none in safe
mode), and refuse what a browser says comes from another site.
"""
MAX_UPLOAD = 128 * 1024


def safe_name(name):
    """`name` if it is a clean relative path (letters, digits, ``_.-``, folders), else None."""
    if not name or len(name) > 128:
        return None
    for part in name.split('/'):
        if not part or part[0] == '.' or len(part) > 64:
            return None
        for ch in part:
            if not (ch.isalpha() or ch.isdigit() or ch in '_.-') or ord(ch) > 126:
                return None
    return name


def _install():
    """device.install, imported for one action (``done()`` unloads it again)."""
    from device import install
    return install


def done():
    """Unload device.kept and device.undo, and device.install unless an upload is under way (the
    portal's heap is small)."""
    import sys
    from device.launcher import unload
    unload('device.kept')
    unload('device.undo')
    install = sys.modules.get('device.install')
    if install is not None and not install.busy():
        unload('device.install')


def _text(status, message):
    return status, ('Content-Type: text/plain; charset=utf-8',), message.encode()


async def upload(portal, reader, target, length, password, refuse, peer):
    """``POST /upload?name=...`` (its body unread) for `portal`: (status, headers, body).
    `password`: the ``X-Password`` header; `refuse`: a browser says the request comes from
    another site, or it names another host. Each piece of the body must come within the
    portal's ``TIMEOUT_S``."""
    if refuse:
        return _text('403 Forbidden', 'cross-site request refused')
    refused = portal.allowed({'owner': password}, peer)
    if refused:
        return _text(refused[0], 'wrong device password, or too many tries: wait a moment')
    import asyncio
    from device.portal import TIMEOUT_S, parse_form
    query = parse_form(target.partition(b'?')[2])
    name = safe_name(query.get('name', ''))
    if name is None:
        return _text('400 Bad Request', 'bad file name')
    from device import kept
    own = kept.covers(name)
    done()  # device.kept unloaded again
    if own:  # the settings above all: they change on the setup page only
        return _text('400 Bad Request', '%s belongs to the device itself: not replaced by an '
                     'upload' % name)
    if not 0 < length <= MAX_UPLOAD:
        return _text('413 Payload Too Large', 'send a file of 1 byte to %d KiB'
                     % (MAX_UPLOAD // 1024))
    install = _install()
    if not install.begin():
        return _text('409 Conflict', 'another upload is in progress: try again when it is done')
    tmp = install.temp()
    try:
        with open(tmp, 'wb') as f:
            left = length
            while left:
                chunk = await asyncio.wait_for(reader.read(min(256, left)), TIMEOUT_S)
                if not chunk:
                    raise EOFError('upload cut short')
                f.write(chunk)
                left -= len(chunk)
                chunk = None
        problem = install.check(tmp, name)
        if problem:
            return _text('400 Bad Request', problem)
        install.install([(tmp, name)], failed=True)  # the version kept stays kept
    finally:
        install.discard([tmp])
        install.end()
        done()
    print('recovery: installed', name, length, 'bytes')
    return _text('200 OK', 'Installed %s (%d bytes). Reboot to start it.' % (name, length))


def restore(portal):
    """``POST /restore`` (the password already checked): (the page, reboot?) for `portal`."""
    from device.portal import escape
    from device import undo
    names = undo.restore()
    done()
    if not names:
        return portal.page('Restore', '<p>There is no previous version to restore.</p>',
                           '404 Not Found'), False
    print('recovery: restored the previous version of', ', '.join(names))
    return portal.page('Restore', '<p>Restored %s. Rebooting.</p>' % escape(', '.join(names))), \
        True
