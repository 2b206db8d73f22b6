"""Log in with sessions: a page only a logged-in user sees, a login form and a logout button.

The session lives in a signed cookie (no storage on the board). The key that signs it is made
from `os.urandom` on the first run and kept in `secret.key` beside this file, so it is this
board's own and nobody can forge a session. Every form post must come from this site's own pages
(`microdot.csrf`): another site cannot log you out, or in. Keep real passwords hashed, not in the
source.
"""
import os

from microdot import Microdot, redirect
from microdot.csrf import CSRF
from microdot.login import Login
from microdot.session import Session

KEY_FILE = 'secret.key'


def secret_key(path=KEY_FILE):
    """This board's session key: read from `path`, or made (32 random bytes) and saved there on
    the first run."""
    try:
        with open(path) as f:
            key = f.read().strip()
        if len(key) >= 32:
            return key
    except OSError:
        pass
    import binascii
    key = binascii.hexlify(os.urandom(32)).decode()
    with open(path, 'w') as f:
        f.write(key)
    return key


def escape(text):
    """`text` safe inside HTML."""
    return str(text).replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;') \
        .replace('"', '&quot;')


class User:
    def __init__(self, id, name, password):
        self.id = id
        self.name = name
        self.password = password


USERS = {1: User(1, 'admin', 'hunter2')}

app = Microdot()
Session(app, secret_key=secret_key(), cookie_options={'same_site': 'Lax'})
CSRF(app)  # refuses a POST that a browser says comes from another site
login = Login()


@login.user_loader
async def load_user(user_id):
    return USERS.get(user_id)


def page(body):
    return ('<!doctype html><meta name="viewport" content="width=device-width">'
            '<title>Login</title>' + body), {'Content-Type': 'text/html; charset=UTF-8'}


@app.route('/')
@login
async def index(request):
    return page('<h1>Hello, %s!</h1><form method="post" action="/logout">'
                '<button>Log out</button></form>' % escape(request.g.current_user.name))


@app.route('/login', methods=['GET', 'POST'])
async def login_page(request):
    error = ''
    if request.method == 'POST':
        for user in USERS.values():
            if user.name == request.form.get('name') and \
                    user.password == request.form.get('password'):
                return await login.login_user(request, user)
        error = '<p>Wrong name or password.</p>'
    return page('<h1>Log in</h1>' + error + '<form method="post">'
                '<input name="name" placeholder="name"> '
                '<input name="password" type="password" placeholder="password"> '
                '<button>Log in</button></form>')


@app.post('/logout')
async def logout(request):
    await login.logout_user(request)
    return redirect('/login')


if __name__ == '__main__':
    app.run(port=5000, debug=True)
