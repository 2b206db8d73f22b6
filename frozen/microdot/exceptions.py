"""HTTP errors raised from handlers."""


class HTTPException(Exception):
    """Raised (usually through `abort`) to end a request with an error status.

    `reason` becomes the response body; it defaults to ``"<code> error"``.
    """

    def __init__(self, status_code, reason=None):
        self.status_code = status_code
        self.reason = reason or str(status_code) + ' error'

    def __repr__(self):  # pragma: no cover - diagnostic only
        return 'HTTPException: ' + str(self.status_code)


def abort(status_code, reason=None):
    """Stop handling the current request and answer with `status_code` (and `reason` as body)."""
    raise HTTPException(status_code, reason)


class HeaderInjection(ValueError):
    """A header value (or redirect URL, cookie) would contain CR or LF: sending it would let
    whoever chose the value add headers or a body. The request is answered with 400."""


class RequestError(ValueError):
    """Raised by `Request.create` for a request it does not take: a line or head too long (414,
    431), too many headers (431), a chunked body over the limit (413), an HTTP version (505) or
    transfer coding (501) it does not speak. `status_code` and `reason` are the server's answer.
    A ValueError, as what Microdot raises for these, so code that calls `Request.create` and
    catches ValueError keeps working."""

    def __init__(self, status_code, reason):
        super().__init__(reason)
        self.status_code = status_code
        self.reason = reason
