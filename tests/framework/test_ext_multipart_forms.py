"""microdot.multipart: request.form and request.files for requests that are not multipart forms
(dual-runtime; apart from test_ext_multipart.py, whose 1 MB upload needs its small heap)."""
from microdot import Microdot
from microdot.multipart import FileUpload, with_form_data
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


async def test_copy_reads_a_file_in_small_pieces():
    """`copy` reads at most 256 bytes at a time, for a file kept in memory and for one
    spooled to flash (it read `max_memory_size` + 1 bytes at once, a block a fragmented small
    heap may not have)."""
    from microdot import AsyncBytesIO
    for size in (300, 5000):
        source = AsyncBytesIO(b'0123456789' * (size // 10))
        asked = []

        async def read(n=-1, source=source, asked=asked):
            asked.append(n)
            return await source.read(n)

        copy = await FileUpload('f.bin', 'application/octet-stream', read).copy()
        assert 0 < max(asked) <= 256, asked
        assert (copy._temp is not None) == (size > FileUpload.max_memory_size)
        assert await copy.read() == b'0123456789' * (size // 10)
        await copy.close()
