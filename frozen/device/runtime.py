"""The boot sequence, run by the firmware's frozen ``main.py`` (after ``boot.py``):

1. load the settings (``device.config.current()``: the one copy the reconnect loop, the portal
   and the app share; defaults if the file is missing or corrupt), check safe mode;
2. set the hostname, join a saved network (deadline and retries, ``device.wifi``);
3. joined: finish an upload's install cut short by a power cut (``device.install``), import
   the user's ``main.py`` (an uploaded app that fails to import is replaced by the kept previous
   version, ``device.launcher``) and serve its app, with the background reconnect and the
   watchdog; if it fails to import or its server dies, serve the recovery page (the error, an
   upload form, "restore the previous app" and the setup form) instead; in safe mode, the
   recovery page straight away;
4. not joined: open the setup access point with the captive DNS and the setup page; if there
   are saved networks, keep retrying them in the background and reboot once one answers.

On an ESP32 the first step also checks a firmware update (``device.rollback``): a new firmware
is confirmed once the app has answered a request, and resets (rolls back) if not in time.

The REPL stays reachable: Ctrl-C stops everything (mpremote does that), and a soft reset from
the raw REPL (mpremote again) skips main.py altogether.
"""
import asyncio

from device import config, launcher, watchdog, wifi


async def serve(cfg, mode, ip, module=None, error=None, safe=None, rollback=None):
    """Serve what the boot found to serve (``device.boot.start``'s result): the app, with the
    Wi-Fi reconnect and the watchdog, and the recovery page if it stops; in access-point mode or
    without an app, the setup or recovery page (``device.fallback``)."""
    wd = 0 if safe else cfg['watchdog_ms']
    if rollback is not None and rollback.pending():  # an update on trial: a reset must come
        asyncio.create_task(rollback.deadline(cfg.get('ota_confirm_s', rollback.DEADLINE_S)))
        if not safe:
            wd = wd or rollback.WATCHDOG_MS
    if mode == 'ap':  # the setup page (device.fallback: code loaded for it only)
        from device import fallback
        return await fallback.access_point(cfg, ip, safe, wd)
    asyncio.create_task(wifi.keep_connected(cfg))
    if module is not None:
        if rollback is not None:  # a new firmware stays once the app has served a request
            rollback.arm(module.app)
        try:
            await watchdog.guard(asyncio.create_task(launcher.run(
                module, cfg['port'], cfg.get('host', '0.0.0.0'), cfg.get('debug', False))), wd)
            error = 'The app server stopped.'
        except Exception as exc:
            error = launcher.describe(exc)
        launcher.stop(module)
    from device import fallback
    return await fallback.recovery(cfg, ip, error, safe, wd)


def main(config_path=config.PATH, **overrides):
    """Boot. `overrides` replace settings in RAM for this run, never saved: host runs and tests
    move the ports off 80/53 with them, and may add ``host`` (the address to listen on, default
    ``0.0.0.0``) and ``debug`` (the app server's request log).

    The steps up to serving are ``device.boot``, dropped before the server starts: a board that
    runs ``frozen/`` as ``.mpy`` gives their heap to the app."""
    from device import boot
    plan = boot.start(config_path, overrides)
    del boot
    # the boot's code, its heap the app's (loaded again if ever needed: the settings file for a
    # change, the Wi-Fi's boot part for a scan)
    for name in ('device.boot', 'device.appload', 'device.configfile', 'device.configwrite',
                 'device.wifiboot'):
        launcher.unload(name)
    asyncio.run(serve(*plan))
