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
