"""An ASGI app whose lifespan startup fails (uvicorn reports the message and exits)."""
from microdot.asgi import Microdot


async def startup(scope):
    raise KeyError('scope')


app = Microdot(lifespan_startup=startup)
