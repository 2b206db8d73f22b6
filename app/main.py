"""The app the board runs once Wi-Fi is up, and what `make run` serves on the host.

`ui.install(app)` adds the device web UI: the dashboard at /, live data, the controls of the
pins named in config.json, Wi-Fi settings, app update and the log, all with a JSON API under
/api/ (docs/web-ui.md). Add your own routes below it, then `make deploy`.
"""
from microdot import Microdot

import ui

app = Microdot()
ui.install(app)


@app.get('/api/hello')
async def hello(request):
    """An example route of your own: /api/hello?name=you"""
    return {'hello': request.args.get('name', 'world')}


def main(host='0.0.0.0', port=80, debug=False):
    """Serve the app. (On the board the firmware serves `app` itself; `make run` calls this.)"""
    app.run(host=host, port=port, debug=debug)


if __name__ == '__main__':
    main()
