"""The Whoosh backend's own tests: against Whoosh's matchers, and its folder races. They live
here because they read Whoosh itself, which nothing outside this package may import."""
