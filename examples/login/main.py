"""Log in with sessions: a page only a logged-in user sees, a login form and a logout button.

The session lives in a signed cookie (no storage on the board). Replace SECRET_KEY with your own
random string, and keep real passwords hashed, not in the source.
"""
from microdot import Microdot, redirect
from microdot.login import Login
from microdot.session import Session

SECRET_KEY = 'replace me with a long random string'


class User:
    def __init__(self, id, name, password):
        self.id = id
        self.name = name
        self.password = password


USERS = {1: User(1, 'admin', 'hunter2')}

app = Microdot()
Session(app, secret_key=SECRET_KEY)
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
                '<button>Log out</button></form>' % request.g.current_user.name)


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
