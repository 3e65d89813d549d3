"""A rebuild swaps the ``index`` link while searches run: a search must never file the old
index's ranking under the new one, nor fail when the old folder vanishes as it is opened."""

from __future__ import annotations

import shutil

from indexer.engine import open_engine
from indexer.engine.whoosh_backend.backend import WhooshEngine
from indexer.query.search import search


def ids(result: dict) -> list[str]:
    return [doc["id"] for doc in result["results"]]


def two_indexes(tmp_path, corpus_documents):
    """Two index folders of different documents (the same commit generation, other
    document numbers) and a link naming the first."""
    old, new, link = tmp_path / "index-1", tmp_path / "index-2", tmp_path / "index"
    english = [doc for doc in corpus_documents if doc.languages == ["en"]]
    for folder, docs in ((old, english), (new, english[3:])):
        folder.mkdir()
        open_engine(folder).apply_changes(docs, [])
    link.symlink_to(old.name)
    return old, new, link


def swap(tmp_path, link, target) -> None:
    (tmp_path / "swap").symlink_to(target.name)
    (tmp_path / "swap").replace(link)


def test_a_rebuild_swapped_in_mid_search_never_serves_the_old_ranking(
    tmp_path, corpus_documents, monkeypatch
):
    """This happened under load: one query then failed with a 500 until the server restarted."""
    old, new, link = two_indexes(tmp_path, corpus_documents)
    expected = ids(search(new, "commune"))
    opened = WhooshEngine._open_searcher

    def swap_after_opening(self):
        searcher = opened(self)
        if link.resolve() == old:  # the rebuild lands between opening and caching
            swap(tmp_path, link, new)
        return searcher

    monkeypatch.setattr(WhooshEngine, "_open_searcher", swap_after_opening)
    search(link, "commune")  # ranked on the old index
    monkeypatch.undo()
    assert ids(search(link, "commune")) == expected


def test_a_rebuild_deleting_the_old_index_as_it_is_opened_is_followed_to_the_new_one(
    tmp_path, corpus_documents, monkeypatch
):
    old, new, link = two_indexes(tmp_path, corpus_documents)
    expected = ids(search(new, "commune"))
    opener = WhooshEngine._open_index

    def rebuild_lands_first(self, where):
        if where == old:  # resolved, then swapped and deleted before it could be opened
            swap(tmp_path, link, new)
            shutil.rmtree(old)
        return opener(self, where)

    monkeypatch.setattr(WhooshEngine, "_open_index", rebuild_lands_first)
    assert ids(search(link, "commune")) == expected
    assert not old.exists()
