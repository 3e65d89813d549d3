"""The Whoosh implementation of `indexer.engine.Engine`: the only code that imports Whoosh."""

from indexer.engine.whoosh_backend.backend import WhooshEngine

__all__ = ["WhooshEngine"]
