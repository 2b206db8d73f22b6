"""microdot.multipart: request.form and request.files for requests that are not multipart forms
(dual-runtime; apart from test_ext_multipart.py, whose 1 MB upload needs its small heap)."""
from microdot import Microdot
from microdot.multipart import with_form_data
from microdot.test_client import TestClient


async def test_form_and_files_are_none_without_a_multipart_form():
    app = Microdot()

    @app.post('/f')
    @with_form_data
    async def f(request):
        form = request.form
        return {'form': None if form is None else dict(form.items()),
                'files': request.files}

    client = TestClient(app)
    for kwargs in ({}, {'body': {'a': 1}}, {'body': 'x=1'}):
        res = await client.post('/f', **kwargs)
        assert res.json == {'form': None, 'files': None}, kwargs
    res = await client.post('/f', body='x=1',
                            headers={'Content-Type': 'application/x-www-form-urlencoded'})
    assert res.json == {'form': {'x': ['1']}, 'files': None}
