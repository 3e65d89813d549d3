"""An index written by an older ddsearch, whose pickled schema names analyzer classes that no
longer exist, is recognised as another version and rebuilt: it must not crash the run."""

from __future__ import annotations

import sys
import types

import pytest
from whoosh import fields, index
from whoosh.analysis import Tokenizer

from indexer.engine import open_engine
from indexer.engine.whoosh_backend.backend import VERSION_FILE, WhooshEngine
from indexer.errors import IndexVersionError
from indexer.model import Document, Method, Page


def old_index(folder, version: str) -> None:
    """An index whose schema pickles a tokenizer from a module that is then gone."""
    module = types.ModuleType("ddsearch_gone_analysis")

    class StreamTokenizer(Tokenizer):
        def __call__(self, value, **kwargs):
            yield from ()

    StreamTokenizer.__module__ = module.__name__
    StreamTokenizer.__qualname__ = "StreamTokenizer"
    module.StreamTokenizer = StreamTokenizer
    sys.modules[module.__name__] = module
    try:
        folder.mkdir()
        index.create_in(str(folder), fields.Schema(body=fields.TEXT(analyzer=StreamTokenizer())))
    finally:
        del sys.modules[module.__name__]
    (folder / VERSION_FILE).write_text(version + "\n")


@pytest.mark.parametrize("version", ["8", WhooshEngine.version])
def test_an_index_whose_pickled_schema_cannot_be_read_is_still_opened(tmp_path, version):
    """Another version is rebuilt; the same version opens with this version's schema."""
    old_index(tmp_path / "index-1", version)  # a data folder's index is a link to a folder
    (tmp_path / "index").symlink_to("index-1")
    engine = open_engine(tmp_path / "index")
    assert engine.exists()
    if version == WhooshEngine.version:
        assert engine.fingerprints() == {}
    else:
        with pytest.raises(IndexVersionError, match="ddsearch rebuild"):
            engine.fingerprints()
    page = Page(1, "commune council", Method.TEXT, 1.0)
    engine.rebuild([Document("d", "h", ["d.pdf"], [page], fingerprint="f")])
    assert engine.fingerprints() == {"d": "f"}
    assert not (tmp_path / "index-1").exists()  # the old folder is gone with the swap
