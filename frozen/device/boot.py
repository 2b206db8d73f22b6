"""The boot steps of ``device.runtime.main`` up to serving: the firmware update check, the
settings, safe mode, an upload cut short, the hostname, the saved networks, and then the user's
app (joined) or the setup access point (not joined).

Used once per boot: the runtime drops this module before its server starts (on a board that
runs the boot package as ``.mpy`` its code then gives its heap back to the app).
"""
from device import config, launcher, wifi


def rollback_check():
    """ESP32: ``device.rollback`` after its boot check (an update pending or rolled back), or
    None on a board without the esp32 module (nothing imported there)."""
    try:
        import esp32  # noqa: F401  (a built-in module: tells an ESP32 for free)
    except ImportError:
        return None
    from device import rollback
    try:
        rollback.check()
    except Exception as exc:  # the note unreadable or the filesystem full: boot all the same
        print('device: firmware update check failed:', exc)
    return rollback


def start(config_path, overrides):
    """Run the boot steps; returns what ``device.runtime.serve`` takes: ``(cfg, mode, ip,
    module, error, safe, rollback)`` (mode ``'station'`` or ``'ap'``; module the imported app,
    or None with its error; safe the safe-mode reason; rollback ``device.rollback`` on an ESP32,
    else None)."""
    rollback = rollback_check()
    cfg = config.current(config_path)
    config.override(**overrides)
    print('device: hostname', cfg['hostname'], '- saved networks:', len(cfg['networks']))
    from device import safemode
    safe = safemode.reason(cfg)
    del safemode
    launcher.unload('device.safemode')  # only needed at boot: its heap goes to the app
    if safe:
        print('device: safe mode (%s): the app will not start' % safe)
    if launcher.exists(launcher.UPLOADS):  # an upload was cut short: finish or drop it
        from device import install
        done = install.recover()
        if done:
            print('device: finished installing', ', '.join(done))
        del install
        launcher.unload('device.install')  # imported again when needed; the app gets its heap
    wifi.set_hostname(cfg['hostname'])
    joined = wifi.connect_saved(cfg)
    module = error = None
    if joined:
        mode, ip = 'station', joined[1]
        if not safe:
            # Import before the event loop starts, so an app that runs its own server at
            # import time simply runs.
            module, error = launcher.load()
            launcher.unload('device.undo')  # if the launcher needed them
            launcher.unload('device.install')
            if error:
                print('device: the app failed to load:\n' + error)
            else:
                import gc
                gc.collect()
                print('device: heap free after the app started: %d bytes' % gc.mem_free())
    else:
        mode = 'ap'
        if cfg['ap_password'] == 'auto':
            from device import apkey
            apkey.make(cfg)
        name, ip = wifi.start_ap(cfg)
    where = 'http://%s%s/' % (ip, '' if cfg['port'] == 80 else ':%d' % cfg['port'])
    if mode == 'ap':
        print('device: join Wi-Fi', repr(name), 'and open', where + 'setup')
    print('device: serving at', where, '(mode %s)' % mode)
    return cfg, mode, ip, module, error, safe, rollback
