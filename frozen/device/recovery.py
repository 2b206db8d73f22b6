"""The recovery page (``device.portal`` serves it while the app cannot run): the error or the
safe-mode note, and the way back over Wi-Fi: a form that uploads a fixed file and, when a
previous version of the app is kept, a "restore" button. Their actions are in
``device.fix``, loaded only when used (the page must fit the heap a failed app left behind).
"""


def html(portal):
    """The recovery page of `portal` (a ``device.portal.Portal``): why the app is not running
    (safe mode, or its error), the upload form and, if a previous version is kept, its restore
    button."""
    from device.portal import escape
    if portal.safe:
        head = ('<p>Safe mode (%s): the app was not started.</p><form method=post '
                'action=/leave-safe-mode><button>Leave safe mode and reboot</button></form>'
                % escape(portal.safe))
    elif _no_app():  # a new board: nothing has failed
        head = ('<h2>Welcome</h2><p>This board runs the firmware and is on your network, but '
                'there is no main.py on it yet: no app to start.</p><p>On your computer, in the '
                'project folder, build and copy the web UI app (or your own) onto it:</p><pre '
                'class=hint>make deploy DEVICE=/dev/ttyUSB0</pre><p>(the board\'s serial port; '
                '<code>make help</code> lists the others), then restart it. Or upload a main.py '
                'below.</p><form method=post action=/reboot>%s<button>Restart</button></form>'
                % portal.owner_field())
    else:
        head = ('<p>The app (main.py) failed; fix it and run <code>make deploy</code>, or '
                'upload a fixed file below.</p><pre>%s</pre><form method=post action=/reboot>'
                '%s<button>Reboot</button></form>' % (escape(portal.error), portal.owner_field()))
    out = [head, '<h2>Upload a fixed file</h2><p>For example <code>main.py</code>; a .py file must '
           'compile. Then reboot.</p><p>',
           '<label>Device password <input type=password id=pw></label>'
           if portal.owner_set() else '<input type=hidden id=pw>',
           '<input type=file id=file> <button onclick=\'var f=document.getElementById('
           '"file").files[0],m=document.getElementById("msg");if(f){m.textContent="Uploading...";'
           'fetch("/upload?name="+encodeURIComponent(f.name),{method:"POST",body:f,headers:'
           '{"X-Password":document.getElementById("pw").value}}).then(function(r){return '
           'r.text()}).then(function(t){m.textContent=t},function(e){m.textContent=e})}\'>'
           'Upload</button></p><p id=msg></p>']
    if _kept():
        out.append('<h2>Previous version</h2><form method=post action=/restore><p>The files '
                   'the last upload replaced are kept.</p>%s<button>Restore the previous app and '
                   'reboot</button></form>' % portal.owner_field())
    return ''.join(out)


def title(portal):
    """The page's title: "Welcome" on a board with no app yet, else "Recovery"."""
    return 'Welcome' if not portal.safe and _no_app() else 'Recovery'


def _no_app():
    from device import launcher
    return not (launcher.exists(launcher.NAME + '.py') or launcher.exists(launcher.NAME + '.mpy'))


def _kept():
    """True if a previous version is kept (without loading device.install: the page must fit
    the heap a failed app left)."""
    import os
    from device.launcher import PREVIOUS
    try:
        return bool(os.listdir(PREVIOUS))
    except OSError:
        return False
