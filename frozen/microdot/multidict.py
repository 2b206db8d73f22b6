"""Dictionaries for HTTP data: `MultiDict` (repeated keys, e.g. query strings and forms) and
`NoCaseDict` (case-insensitive keys, e.g. headers)."""


class MultiDict(dict):
    """A dict that keeps every value given for a key.

    ``d[key] = value`` appends; ``d[key]`` and ``get()`` return the first value; ``getlist()``
    returns them all. Iterating or ``items()`` exposes the underlying lists.
    """

    def __init__(self, initial_dict=None):
        super().__init__()
        if initial_dict:
            for key, value in initial_dict.items():
                self[key] = value

    def __setitem__(self, key, value):
        if key in self:
            super().__getitem__(key).append(value)
        else:
            super().__setitem__(key, [value])

    def __getitem__(self, key):
        return super().__getitem__(key)[0]

    def get(self, key, default=None, type=None):
        """First value for `key` converted with `type` (default if missing or not convertible)."""
        if key not in self:
            return default
        value = self[key]
        if type is not None:
            try:
                value = type(value)
            except ValueError:
                return default
        return value

    def getlist(self, key, type=None):
        """Every value for `key` (converted with `type`), or ``[]``."""
        if key not in self:
            return []
        values = super().__getitem__(key)
        if type is None:
            return list(values)
        return [type(v) for v in values]


class NoCaseDict(dict):
    """A dict with case-insensitive string keys that remembers the first spelling of each key.

    `keymap` maps each lower-cased key to the spelling stored in the dict. A key given in lower
    case is looked up as it is; any other is lower-cased first (on MicroPython a new string,
    which costs far more than the lookup), so the framework looks its own headers up in lower
    case.
    """

    def __init__(self, initial_dict=None):
        super().__init__()
        self.keymap = {}
        if initial_dict:
            self.update(initial_dict)

    def __setitem__(self, key, value):
        lower = key if key.islower() else key.lower()
        stored = self.keymap.get(lower)
        if stored is None:
            self.keymap[lower] = stored = key
        super().__setitem__(stored, value)

    def __getitem__(self, key):
        return super().__getitem__(self.keymap.get(key if key.islower() else key.lower(), key))

    def __delitem__(self, key):
        super().__delitem__(self.keymap.pop(key if key.islower() else key.lower(), key))

    def __contains__(self, key):
        return (key if key.islower() else key.lower()) in self.keymap

    def get(self, key, default=None):
        stored = self.keymap.get(key if key.islower() else key.lower())
        return default if stored is None else super().__getitem__(stored)

    def setdefault(self, key, default=None):
        if key not in self:
            self[key] = default
        return self[key]

    def pop(self, key, *default):
        stored = self.keymap.pop(key if key.islower() else key.lower(), None)
        if stored is None:
            if default:
                return default[0]
            raise KeyError(key)
        return super().pop(stored)

    def update(self, other):
        for key, value in other.items():
            self[key] = value
