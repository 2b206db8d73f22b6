"""Templates: HTML pages rendered by utemplate, which compiles each template to a small Python
generator, so a page can be streamed in pieces instead of built in RAM.

The board needs the utemplate package: `make mpy` compiles it, then
`mpremote mip install ./build/dist/utemplate/package.json` installs it. Templates are compiled
on first use (the board writes templates/*_html.py); `make templates
TEMPLATES=examples/templates/templates` compiles them on the host beforehand.
"""
from microdot import Microdot
from microdot.utemplate import Template

app = Microdot()
plants = [{'name': 'Basil', 'moisture': 41}, {'name': 'Fern', 'moisture': 67}]
HTML = {'Content-Type': 'text/html; charset=UTF-8'}


@app.route('/')
async def index(request):
    return Template('index.html').render(title='Plants', plants=plants), HTML


@app.route('/plants/<int:index>')
async def plant(request, index):
    if not 0 <= index < len(plants):
        return Template('index.html').render(title='No such plant', plants=[]), 404, HTML
    # generate() returns the chunks one by one: the response streams them
    return Template('plant.html').generate(plant=plants[index]), HTML


if __name__ == '__main__':
    app.run(port=5000, debug=True)
