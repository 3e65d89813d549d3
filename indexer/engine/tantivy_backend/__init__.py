"""The Tantivy implementation of `indexer.engine.Engine`: the only code that imports tantivy."""

from indexer.engine.tantivy_backend.backend import TantivyEngine, holds_index

__all__ = ["TantivyEngine", "holds_index"]
