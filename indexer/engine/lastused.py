"""A small cache for an engine's per-commit tables and rankings."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable


class LastUsed:
    """A small thread-safe cache that forgets its least recently used entries first, once
    their weights (``weigh``: 1 each by default) add up to more than ``size``."""

    def __init__(self, size: int, weigh: Callable[[object], int] = lambda value: 1):
        self.size, self.weigh, self.weight = size, weigh, 0
        self.entries, self.lock = OrderedDict(), threading.Lock()

    def get(self, key):
        with self.lock:
            if key in self.entries:
                self.entries.move_to_end(key)
            return self.entries.get(key)

    def put(self, key, value):
        with self.lock:
            if key in self.entries:
                self.weight -= self.weigh(self.entries.pop(key))
            self.entries[key] = value
            self.weight += self.weigh(value)
            while self.weight > self.size and len(self.entries) > 1:
                self.weight -= self.weigh(self.entries.popitem(last=False)[1])
        return value
