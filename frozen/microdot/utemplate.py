"""Templates with utemplate (compiled to Python generators; runs on MicroPython and CPython).

Templates live in a directory (``templates`` by default, relative to the current directory and
importable from it). `scripts/templates.py compile DIR` compiles them on the host at build time;
with the default `utemplate.recompile.Loader` a device then only imports the compiled module and
recompiles a template only if its source is newer than the compiled form. Pass
``loader_class=utemplate.compiled.Loader`` to use compiled (e.g. frozen) templates only.
"""

_loader = None


class Template:
    """A template by file name: `render()` returns str, `generate()` yields chunks (return it
    from a route to stream the page), `render_async()` / `generate_async()` for async code."""

    @classmethod
    def initialize(cls, template_dir='templates', loader_class=None):
        """Choose the template directory and the utemplate loader class (default recompile)."""
        global _loader
        if loader_class is None:
            from utemplate import recompile
            loader_class = recompile.Loader
        _loader = loader_class(None, template_dir)

    def __init__(self, template):
        if _loader is None:
            self.initialize()
        self.name = template
        self.template = _loader.load(template)

    def generate(self, *args, **kwargs):
        """A generator of the rendered chunks."""
        return self.template(*args, **kwargs)

    def render(self, *args, **kwargs):
        """The rendered template as one str."""
        return ''.join(self.generate(*args, **kwargs))

    def generate_async(self, *args, **kwargs):
        """An async iterator of the rendered chunks (do not await it)."""
        return _AsyncChunks(self.generate(*args, **kwargs))

    async def render_async(self, *args, **kwargs):
        """The rendered template as one str (async)."""
        return self.render(*args, **kwargs)


class _AsyncChunks:
    def __init__(self, gen):
        self.gen = gen

    def __aiter__(self):
        return self

    async def __anext__(self):
        try:
            return next(self.gen)
        except StopIteration:
            raise StopAsyncIteration
