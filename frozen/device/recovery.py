"""The recovery page's way back over Wi-Fi, the part the page shows: a form that uploads a fixed
file and, when a previous version of the app is kept, a "restore" button. Their actions are in
``device.fix``, loaded only when used (the page must fit the heap a failed app left behind).
"""


def html(portal):
    """The recovery page's upload form and, if there is a previous version, its restore
    button."""
    out = ['<h2>Upload a fixed file</h2><p>For example <code>main.py</code>; a .py file must '
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


def _kept():
    """True if a previous version is kept (without loading device.install: the page must fit
    the heap a failed app left)."""
    import os
    from device.launcher import PREVIOUS
    try:
        return bool(os.listdir(PREVIOUS))
    except OSError:
        return False
