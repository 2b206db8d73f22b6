"""A JSON API that web pages served from other origins may call (CORS).

A page at one of ALLOWED_ORIGINS can fetch, add and delete notes with `fetch()`; the browser
sends a preflight OPTIONS request first for the PUT/DELETE and JSON requests, which CORS answers.
"""
from microdot import Microdot
from microdot.cors import CORS

ALLOWED_ORIGINS = ['http://localhost:8000', 'http://127.0.0.1:8000']

app = Microdot()
CORS(app, allowed_origins=ALLOWED_ORIGINS, allowed_headers=['Content-Type'], max_age=600)
notes = {1: 'Water the plants'}


@app.get('/')
async def index(request):
    return {'notes': '/api/notes', 'note': '/api/notes/<id>'}


@app.get('/api/notes')
async def list_notes(request):
    return [{'id': id, 'text': text} for id, text in sorted(notes.items())]


@app.post('/api/notes')
async def add_note(request):
    data = request.json
    if not isinstance(data, dict) or not isinstance(data.get('text'), str):
        return {'error': 'send {"text": "..."}'}, 400
    id = max(notes) + 1 if notes else 1
    notes[id] = data['text']
    return {'id': id, 'text': data['text']}, 201


@app.delete('/api/notes/<int:id>')
async def delete_note(request, id):
    if notes.pop(id, None) is None:
        return {'error': 'no such note'}, 404
    return None  # 204 No Content


if __name__ == '__main__':
    app.run(port=5000, debug=True)
