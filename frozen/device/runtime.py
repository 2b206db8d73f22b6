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

AP_RETRY_S = 300


def reboot():
    import machine
    machine.reset()


async def retry_station(cfg, period=AP_RETRY_S):
    """In access-point mode: every `period` s try the saved networks; reboot when one works."""
    while True:
        await asyncio.sleep(period)
        for n in cfg['networks']:
            if n in cfg['networks'] and await wifi.connect_async(n['ssid'], n.get('password', ''), cfg['connect_timeout']):
                print('device: network', repr(n['ssid']), 'is back, rebooting')
                reboot()


async def serve_portal(cfg, ip, error=None, safe=None, wd=0):
    from device.portal import Portal
    portal = Portal(cfg, ip, error=error, safe=safe, reboot=reboot, scan=wifi.scan)
    for attempt in range(10):
        try:
            task = asyncio.create_task(portal.serve(cfg['port'], cfg.get('host', '0.0.0.0')))
            return await watchdog.guard(task, wd)
        except OSError as exc:  # the crashed app may still hold the port for a moment
            print('device: portal cannot listen yet:', exc)
            await asyncio.sleep(1)
    raise OSError('portal could not listen on port %d' % cfg['port'])


async def serve(cfg, mode, ip, module=None, error=None, safe=None, rollback=None):
    wd = 0 if safe else cfg['watchdog_ms']
    if rollback is not None and rollback.pending():  # an update on trial: a reset must come
        asyncio.create_task(rollback.deadline(cfg.get('ota_confirm_s', rollback.DEADLINE_S)))
        if not safe:
            wd = wd or rollback.WATCHDOG_MS
    if mode == 'ap':
        from device.dns import Server
        try:
            dns = Server(ip, cfg['dns_port'])
            asyncio.create_task(dns.run())
            print('device: captive DNS on port', cfg['dns_port'], 'answers', ip)
        except OSError as exc:  # the setup page still works by address
            print('device: no captive DNS:', exc)
        if cfg['networks']:
            asyncio.create_task(retry_station(cfg))
        return await serve_portal(cfg, ip, safe=safe, wd=wd)
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
    print('device: serving the recovery page:', (error or safe or '').strip().split('\n')[-1])
    return await serve_portal(cfg, ip, error=error, safe=safe, wd=wd)


def main(config_path=config.PATH, **overrides):
    """Boot. `overrides` replace settings in RAM for this run, never saved: host runs and tests
    move the ports off 80/53 with them, and may add ``host`` (the address to listen on, default
    ``0.0.0.0``) and ``debug`` (the app server's request log).

    The steps up to serving are ``device.boot``, dropped before the server starts: a board that
    runs ``frozen/`` as ``.mpy`` gives their heap to the app."""
    from device import boot
    plan = boot.start(config_path, overrides)
    del boot
    launcher.unload('device.boot')
    asyncio.run(serve(*plan))
