"""The app a board runs after Wi-Fi is up (and `make run` serves on the host).

Edit this file, then `make deploy` to upload it. The device web UI replaces this example.
"""
from microdot import Microdot

app = Microdot()


@app.route('/')
async def index(request):
    return '<!doctype html><title>microdot-firmware</title><h1>It works</h1>', \
        {'Content-Type': 'text/html; charset=UTF-8'}


@app.get('/api/hello')
async def hello(request):
    return {'hello': request.args.get('name', 'world')}


def main(host='0.0.0.0', port=80, debug=False):
    app.run(host=host, port=port, debug=debug)


if __name__ == '__main__':
    main()
