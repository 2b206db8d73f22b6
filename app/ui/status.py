"""What the dashboard shows: `status()`, everything (``GET /api/status``): the board, the
filesystem and the values that move (``ui.sample.values``, which the live stream sends). The
module keeps no state, so it is dropped after each request (``ui.api``)."""
import os
import sys


def filesystem():
    """(total, free) bytes of the filesystem the app lives on."""
    try:
        st = os.statvfs('/' if sys.platform != 'linux' else '.')
        return st[1] * st[2], st[1] * st[4]
    except (OSError, AttributeError):
        return None, None


def status():
    """Everything the dashboard shows, as one dict (``GET /api/status``)."""
    from device import config
    from ui import UPLOAD_MAX
    v = sys.implementation.version
    version = '%d.%d.%d' % v[:3] + ('-' + v[3] if len(v) > 3 and v[3] else '')
    total, free = filesystem()
    d = {'name': config.get('hostname'), 'platform': sys.platform, 'micropython': version,
         'board': getattr(sys.implementation, '_machine', sys.platform),
         'fs_total': total, 'fs_free': free, 'upload_max': UPLOAD_MAX}
    from ui.sample import values
    d.update(values())
    return d


async def api(request, path, name):
    return status()
