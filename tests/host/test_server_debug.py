"""Debug mode prints the start-up line and one line per request on the console."""
import http.client
import time


def test_debug_mode_logs_start_and_requests(serve):
    server = serve('basic_app', args=['--debug'])
    for path in ('/', '/nope'):
        conn = http.client.HTTPConnection('127.0.0.1', server.port, timeout=10)
        conn.request('GET', path)
        conn.getresponse().read()
        conn.close()
    time.sleep(0.2)
    out = server.stop()
    assert 'Starting async server on 127.0.0.1:%d...' % server.port in out
    assert 'GET / 200' in out and 'GET /nope 404' in out
