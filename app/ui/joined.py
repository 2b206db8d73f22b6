"""The outcome of a Wi-Fi join that ``ui.net`` started: `done`, which ``device.wifi.join``
calls at its end. A module of its own because the join's task holds its `done` while the join
runs (up to ``connect_timeout``): a function of ``ui.net`` kept all of that module loaded (the
API dropped it after the request only from ``sys.modules``). This one is dropped at the end."""
import ui

JOIN = 'wifi_join'  # ui.state[JOIN]: the last join asked for (``ui.net`` shows it)


def done(ssid, ip):
    """The join of `ssid` ended (`ip`: its address, None: it failed): the job's result in
    ``ui.state[JOIN]``; a network that worked saved first, verified (``device.config``)."""
    from device import config, wifi
    from ui import log
    job = ui.state.get(JOIN)
    if job is not None and job.get('ssid') == ssid:
        if ip:
            job['state'], job['ip'] = 'joined', ip
            try:
                config.change(config.current(), config.add_network, ssid, job.pop('password'))
            except (OSError, MemoryError) as exc:
                log.add('wifi: could not save', ssid, exc)
            log.add('wifi: joined', ssid, ip)
        else:
            job['state'], job['reason'] = 'failed', wifi.failure or 'no answer'
            job.pop('password', None)
            log.add('wifi: could not join', ssid, '-', job['reason'])
    ui.forget('ui.joined')
