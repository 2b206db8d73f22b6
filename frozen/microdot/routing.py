"""URL patterns: ``/users/<int:id>``-style route matching."""
import re


class URLPattern:
    """A route's URL pattern, matched against the raw (undecoded) request path.

    Segments in angle brackets capture a value and pass it to the handler as a keyword argument:
    ``<name>`` (any text without ``/``), ``<int:name>``, ``<path:name>`` (one or more characters,
    ``/`` included), ``<re:REGEX:name>`` and any type added with `register_type`. Matching is
    anchored and exact, trailing slash included. Patterns without arguments compare as strings.
    """

    segment_patterns = {'string': '/([^/]+)', 'int': '/(-?\\d+)', 'path': '/(.+)'}
    segment_parsers = {'int': int}

    def __init__(self, url_pattern):
        self.url_pattern = url_pattern
        self.static = None  # the path itself, for patterns without arguments
        self.regex = None
        self.args = None  # [(name, type), ...]
        if '<' not in url_pattern:
            self.static = '/' + url_pattern.lstrip('/')

    @classmethod
    def register_type(cls, type_name, pattern='[^/]+', parser=None):
        """Add a segment type usable as ``<type_name:arg>`` in every app.

        `parser` converts the matched text; returning None means the route does not match.
        """
        cls.segment_patterns[type_name] = '/(' + pattern + ')'
        if parser is not None:
            cls.segment_parsers[type_name] = parser

    def compile(self):
        """Build the anchored regular expression (done on first match)."""
        pattern = ''
        args = []
        for segment in self.url_pattern.lstrip('/').split('/'):
            if not segment or segment[0] != '<':
                pattern += '/' + segment
                continue
            if segment[-1] != '>':
                raise ValueError('invalid URL pattern')
            segment = segment[1:-1]
            if ':' in segment:
                type_, name = segment.rsplit(':', 1)
            else:
                type_, name = 'string', segment
            if type_.startswith('re:'):
                pattern += '/(' + type_[3:] + ')'
            elif type_ in self.segment_patterns:
                pattern += self.segment_patterns[type_]
            else:
                raise ValueError('invalid URL segment type')
            args.append((name, type_))
        self.args = args
        self.regex = re.compile('^' + pattern + '$')
        return self.regex

    def match(self, path):
        """Return a dict of the arguments in `path`, or None if it does not match."""
        if self.static is not None:
            return {} if path == self.static else None
        regex = self.regex or self.compile()
        m = regex.match(path)
        if m is None:
            return None
        result = {}
        i = 1
        for name, type_ in self.args:
            value = m.group(i)
            i += 1
            parser = self.segment_parsers.get(type_)
            if parser is not None:
                try:
                    value = parser(value)
                except ValueError:
                    return None
                if value is None:
                    return None
            result[name] = value
        return result

    def __repr__(self):  # pragma: no cover - diagnostic only
        return 'URLPattern(' + repr(self.url_pattern) + ')'
