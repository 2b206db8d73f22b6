"""Templates with Jinja2 (CPython only)."""
from jinja2 import Environment, FileSystemLoader, select_autoescape


class Template:
    """A Jinja2 template by name. The class attribute `jinja_env` is the shared Environment
    (made by `initialize`, or on first use with the defaults)."""

    jinja_env = None

    @classmethod
    def initialize(cls, template_dir='templates', enable_async=False, **kwargs):
        """Create the Environment: templates from `template_dir`, HTML autoescaping, async
        rendering if `enable_async`; other keyword arguments go to `jinja2.Environment`."""
        cls.jinja_env = Environment(loader=FileSystemLoader(template_dir),
                                    autoescape=select_autoescape(), enable_async=enable_async,
                                    **kwargs)

    def __init__(self, template, **kwargs):
        if self.jinja_env is None:
            self.initialize()
        self.name = template
        self.template = self.jinja_env.get_template(template, **kwargs)

    def generate(self, *args, **kwargs):
        """A generator of the rendered chunks."""
        return self.template.generate(*args, **kwargs)

    def render(self, *args, **kwargs):
        """The rendered template as one str."""
        return self.template.render(*args, **kwargs)

    def generate_async(self, *args, **kwargs):
        """An async iterator of the rendered chunks (needs ``enable_async=True``)."""
        return self.template.generate_async(*args, **kwargs)

    async def render_async(self, *args, **kwargs):
        """The rendered template (needs ``enable_async=True``)."""
        return await self.template.render_async(*args, **kwargs)
