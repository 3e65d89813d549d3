"""The production server under concurrent load while the librarian indexes and rebuilds: no
request fails, new documents appear, the rebuild's swap is invisible to clients. The full-size
run with figures is bench/serve_while_indexing.py; this is its CI size."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
import serve_while_indexing
from conftest import REPO

pytestmark = pytest.mark.slow  # a real server and real indexing runs


def test_serving_20_clients_while_indexing_10_documents_and_rebuilding(tmp_path, shared_corpus):
    figures = serve_while_indexing.run(tmp_path, documents=10, batches=2, before=3, after=3)
    print(serve_while_indexing.report(figures))

    assert figures["failed"] == [] and figures["watch_failures"] == []
    phases = figures["phases"]
    assert all(phases[name]["requests"] > 20 for name in ("before", "during", "after"))
    commands = [(w.command, w.returncode) for w in figures["writes"]]
    assert commands == [("index", 0), ("rebuild", 0), ("index", 0)]
    assert len(figures["documents_added"]) == 10 and figures["never_seen"] == []
    assert figures["final_total"] == figures["expected_total"] == 12


COLD_START = """
import sys, threading
from search_web import create_app

app = create_app(sys.argv[1])
start = threading.Barrier(8)
statuses = []

def client():
    tester = app.test_client()
    start.wait()
    statuses.append(tester.get("/api/search?q=ក្រុមប្រឹក្សាឃុំ").status_code)

threads = [threading.Thread(target=client) for _ in range(8)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(statuses)
"""


def test_concurrent_first_khmer_searches_of_a_fresh_server_all_succeed(web_data):
    """khmercut's CRF model loads lazily and not thread-safely: the app must load it before
    the server's threads share it (they used to get 400 "The tagger is not opened")."""
    for _ in range(3):  # a fresh process each time: the race is at the first searches
        done = subprocess.run(
            [sys.executable, "-c", textwrap.dedent(COLD_START), str(web_data)],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == str([200] * 8)
