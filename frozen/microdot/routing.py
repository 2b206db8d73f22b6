"""URL patterns: ``/users/<int:id>``-style route matching."""

_DIGITS = '0123456789'


class URLPattern:
    """A route's URL pattern, matched against the raw (undecoded) request path.

    Segments in angle brackets capture a value and pass it to the handler as a keyword argument:
    ``<name>`` (any text without ``/``), ``<int:name>``, ``<path:name>`` (one or more characters,
    ``/`` included), ``<re:REGEX:name>`` and any type added with `register_type`. Matching is
    anchored and exact, trailing slash included. Patterns without arguments compare as strings.

    The built-in types are matched by walking the path, never by a regular expression, so an
    argument of any length costs no recursion (MicroPython's regex engine recurses once per
    character repeated, and a board's C stack runs out after a few hundred). A ``re:`` or
    registered type is matched by its regex against one path segment (it cannot span ``/``; use
    ``path`` for that); a segment too long for the regex engine does not match (404).
    """

    segment_patterns = {'string': '/([^/]+)', 'int': '/(-?\\d+)', 'path': '/(.+)'}
    segment_parsers = {'int': int}

    def __init__(self, url_pattern):
        self.url_pattern = url_pattern
        self.static = None  # the path itself, for patterns without arguments
        self.segments = None  # [literal str | (name, type, regex or None)], built on first use
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
        """Parse the pattern into segments (done on first match)."""
        import re
        segments = []
        args = []
        literal = ''
        for segment in self.url_pattern.lstrip('/').split('/'):
            if not segment or segment[0] != '<':
                literal += '/' + segment
                continue
            if segment[-1] != '>':
                raise ValueError('invalid URL pattern')
            segment = segment[1:-1]
            if ':' in segment:
                type_, name = segment.rsplit(':', 1)
            else:
                type_, name = 'string', segment
            if type_.startswith('re:'):
                source = '/(' + type_[3:] + ')'
            elif type_ in self.segment_patterns:
                source = self.segment_patterns[type_]
            else:
                raise ValueError('invalid URL segment type')
            regex = None
            if type_ not in ('string', 'int', 'path') and source != '/([^/]+)':
                regex = re.compile('^' + source[1:] + '$')
            if literal:
                segments.append(literal)
                literal = ''
            segments.append((name, type_, regex))
            args.append((name, type_))
        if literal:
            segments.append(literal)
        self.args = args
        self.segments = segments
        return segments

    def match(self, path):
        """Return a dict of the arguments in `path`, or None if it does not match."""
        if self.static is not None:
            return {} if path == self.static else None
        segments = self.segments or self.compile()
        first = segments[0]
        if isinstance(first, str) and not path.startswith(first):
            return None  # the common miss, decided without allocating
        result = {}
        if self._walk(path, 0, 0, result):
            return result
        return None

    def _walk(self, path, pos, i, result):
        """Match segments[i:] against path[pos:], filling `result`; recursion only at a ``path``
        argument that is not the last segment (once per '/' it may end at)."""
        segments = self.segments
        n = len(path)
        while i < len(segments):
            seg = segments[i]
            i += 1
            if isinstance(seg, str):
                if not path.startswith(seg, pos):
                    return False
                pos += len(seg)
                continue
            if not path.startswith('/', pos) or pos + 1 >= n:
                return False
            pos += 1
            name, type_, regex = seg
            if type_ == 'path':
                if i == len(segments):
                    result[name] = path[pos:]
                    return True
                end = n
                while True:  # the longest value for which the rest matches, as '.+' would
                    end = path.rfind('/', pos + 1, end)
                    if end < 0:
                        return False
                    if self._walk(path, end, i, result):
                        result[name] = path[pos:end]
                        return True
            end = path.find('/', pos)
            if end < 0:
                end = n
            if end == pos:
                return False
            value = path[pos:end]
            pos = end
            if type_ == 'int':
                if (value[1:] if value.startswith('-') else value).strip(_DIGITS) or \
                        value == '-':
                    return False
            elif regex is not None:
                try:
                    if regex.match(value) is None:
                        return False
                except RuntimeError:  # too long for the regex engine's recursion
                    return False
            parser = self.segment_parsers.get(type_)
            if parser is not None:
                try:
                    value = parser(value)
                except ValueError:
                    return False
                if value is None:
                    return False
            result[name] = value
        return pos == n

    def __repr__(self):  # pragma: no cover - diagnostic only
        return 'URLPattern(' + repr(self.url_pattern) + ')'
