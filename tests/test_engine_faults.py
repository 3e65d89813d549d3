"""The engine's faults, over every backend: a writer SIGKILLed in the middle of its commits
leaves the old or the new state, whole; readers searching while a writer commits never fail
and see only committed states."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest
from conftest import REPO
from make_corpus import generate

from indexer.engine import BACKENDS, open_engine
from indexer.query import language as ql

pytestmark = pytest.mark.slow  # a writer process, killed

BATCH = 6  # documents a commit
WRITER = """
import sys
sys.path.insert(0, "bench")
from make_corpus import generate
from indexer.engine import open_engine

backend, location, start, batches, batch = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:])
engine = open_engine(location, backend)
for b in range(start, start + batches):
    engine.apply_changes(generate_range(b * batch, batch), [])
    print(b, flush=True)
"""
WRITER = WRITER.replace(
    "from indexer.engine import open_engine",
    "from indexer.engine import open_engine\n"
    "def generate_range(first, count):\n"
    "    return [d for i, d in enumerate(generate(first + count, 7, 3)) if i >= first]",
)


def documents(count: int) -> dict:
    """Each document of the first ``count`` of the writer's library with its page count."""
    return {doc.id: len(doc.pages) for doc in generate(count, 7, 3)}


def writer(backend: str, location, start: int, batches: int) -> subprocess.Popen:
    command = [sys.executable, "-c", textwrap.dedent(WRITER), backend, str(location)]
    command += [str(start), str(batches), str(BATCH)]
    return subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, text=True)


def committed_state(backend: str, location, expected: dict) -> set[str]:
    """The documents the index holds, after checking each is whole and the set is a run of
    whole batches; returns their ids."""
    engine = open_engine(location, backend)  # it follows new commits itself
    held = set(engine.fingerprints())
    inventory = engine.inventory()
    assert set(inventory) == held, "page records without their document, or the reverse"
    for doc_id in held:
        assert sum(inventory[doc_id].values()) == expected[doc_id], f"{doc_id} is half there"
    order = list(expected)
    assert held == set(order[: len(held)]) and len(held) % BATCH == 0, "not whole commits"
    assert engine.search_documents(None).total == len(held)
    return held


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_a_writer_killed_during_its_commits_leaves_whole_committed_states(tmp_path, backend):
    location, rounds, held = tmp_path / "index", 4, set()
    expected = documents(BATCH * (rounds * 4 + 4))
    chance = random.Random(backend)
    for round_number in range(rounds):
        start = len(held) // BATCH
        process = writer(backend, location, start, 4)
        # Killed mid-run: once it has committed at least once, at a random moment after.
        first = process.stdout.readline()
        assert first.strip() == str(start), "the writer did not commit"
        time.sleep(chance.uniform(0.0, 1.5))
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        process.stdout.close()
        now = committed_state(backend, location, expected)
        assert now >= held, f"round {round_number}: committed documents were lost"
        held = now
    # A writer after the kills carries on on the same index.
    process = writer(backend, location, len(held) // BATCH, 1)
    assert process.wait(timeout=300) == 0
    process.stdout.close()
    assert len(committed_state(backend, location, expected)) == len(held) + BATCH


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_readers_searching_while_a_writer_commits_see_only_committed_states(tmp_path, backend):
    location = tmp_path / "index"
    first = writer(backend, location, 0, 1)
    assert first.wait(timeout=300) == 0
    first.stdout.close()
    engine = open_engine(location, backend)
    process = writer(backend, location, 1, 4)
    totals: list[int] = []
    errors: list[BaseException] = []
    words = ql.parse("ការ").node

    def read() -> None:
        while process.poll() is None:
            try:
                outcome = engine.search_documents(words, limit=5)
                every = engine.search_documents(None, limit=1).total
                assert every % BATCH == 0 and outcome.total <= every
                totals.append(every)
            except BaseException as error:  # noqa: BLE001  (reported below)
                errors.append(error)
                return

    readers = [threading.Thread(target=read) for _ in range(4)]
    for reader in readers:
        reader.start()
    assert process.wait(timeout=600) == 0
    process.stdout.close()
    for reader in readers:
        reader.join()
    assert errors == []
    assert totals and set(totals) <= {BATCH * n for n in range(1, 6)}
    assert engine.search_documents(None).total == BATCH * 5
