"""Mounting sub-applications: a bigger app built from small ones, each with its own routes.

The `api` app below could live in its own module (`from api import api`); `mount()` copies its
routes under a URL prefix. A hook registered on a sub-app mounted with `local=True` runs only for
that sub-app's routes.
"""
from microdot import Microdot

api = Microdot()
items = ['apple', 'pear']


@api.get('/items')
async def list_items(request):
    return {'items': items}


@api.get('/items/<int:index>')
async def get_item(request, index):
    if not 0 <= index < len(items):
        return {'error': 'no such item'}, 404
    return {'item': items[index]}


@api.after_request
async def no_cache(request, response):
    response.headers['Cache-Control'] = 'no-store'  # only for /api/... (local mount)


admin = Microdot()


@admin.get('/')
async def admin_home(request):
    return 'admin area, mounted at ' + request.url_prefix


app = Microdot()
app.mount(api, url_prefix='/api', local=True)
app.mount(admin, url_prefix='/admin')


@app.route('/')
async def index(request):
    return 'Try /api/items, /api/items/0 and /admin/'


if __name__ == '__main__':
    app.run(port=5000, debug=True)
