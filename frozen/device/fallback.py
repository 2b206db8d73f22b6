"""What the runtime serves instead of the app: the setup page in access-point mode (with the
captive DNS, and the saved networks retried in the background) and the recovery page when the
app could not start or its server stopped. Loaded only then, so that while the app serves, its
code costs a board that runs the boot package as ``.mpy`` no heap.
"""
import asyncio

from device import watchdog, wifi

AP_RETRY_S = 300


def reboot():
    import machine
    machine.reset()


async def retry_station(cfg, period=AP_RETRY_S):
    """In access-point mode: every `period` s try the saved networks; reboot when one works."""
    while True:
        await asyncio.sleep(period)
        for n in cfg['networks']:
            if n in cfg['networks'] and await wifi.connect_async(
                    n['ssid'], n.get('password', ''), cfg['connect_timeout']):
                print('device: network', repr(n['ssid']), 'is back, rebooting')
                reboot()


async def serve_portal(cfg, ip, error=None, safe=None, wd=0):
    """Serve the setup/recovery page (``device.portal``) on the app's port, under the watchdog
    (`wd` ms, 0: none); the port may still be held a moment by an app that crashed."""
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


async def access_point(cfg, ip, safe, wd):
    """Access-point mode: the captive DNS, the saved networks retried, the setup page."""
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


async def recovery(cfg, ip, error, safe, wd):
    """The recovery page, with why the app is not running (`error`, or the safe-mode `safe`)."""
    print('device: serving the recovery page:', (error or safe or '').strip().split('\n')[-1])
    return await serve_portal(cfg, ip, error=error, safe=safe, wd=wd)
