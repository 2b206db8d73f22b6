"""Hello, world: one HTML page and one JSON endpoint.

    make example NAME=hello          # then open http://127.0.0.1:8080/
    make example-deploy NAME=hello   # copy it to a board running the firmware
"""
from microdot import Microdot

app = Microdot()


@app.route('/')
async def index(request):
    return '<!doctype html><title>Hello</title><h1>Hello, world!</h1>', \
        {'Content-Type': 'text/html; charset=UTF-8'}


@app.get('/hello/<name>')
async def hello(request, name):
    return {'hello': name}


if __name__ == '__main__':
    app.run(port=5000, debug=True)
