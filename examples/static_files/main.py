"""Static files, with pre-compressed copies: a UI kept gzipped in flash costs a third of the space
and a third of the transfer.

`static(app, '/static', 'static')` serves the directory `static/` at /static/... It answers
with `name.gz` (and `Content-Encoding: gzip`) when the browser accepts gzip and that file
exists, sends ETags so browsers revalidate cheaply, and refuses paths that try to leave the
directory. static/app.js.gz was made from assets/app.js with `gzip -9n < assets/app.js`.
"""
from microdot import Microdot, send_file
from microdot.static import static

app = Microdot()


@app.route('/')
async def index(request):
    return send_file('static/index.html')


static(app, '/static', 'static')

if __name__ == '__main__':
    app.run(port=5000, debug=True)
