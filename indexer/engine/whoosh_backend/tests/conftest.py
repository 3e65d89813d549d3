"""The real documents of tests/conftest.py, for the backend's own tests."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[4] / "tests"))

from conftest import corpus_documents, shared_corpus  # noqa: E402, F401  (the fixtures)
