"""Where ddsearch keeps its data: the index, the extraction store and the library state."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ENV_VAR = "DDSEARCH_INDEX"


def default_data_dir() -> Path:
    """``$DDSEARCH_INDEX``, else ``$XDG_DATA_HOME/ddsearch`` (``~/.local/share/ddsearch``)."""
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR])
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "ddsearch"


@dataclass(frozen=True)
class DataDir:
    """The files under one data directory; the store and state outlive the index."""

    root: Path

    @property
    def index(self) -> Path:
        return self.root / "index"

    @property
    def store(self) -> Path:
        return self.root / "store.sqlite"

    @property
    def library(self) -> Path:
        return self.root / "library.sqlite"

    @property
    def analyses(self) -> Path:
        """Each page's analysis, kept so that a rebuild does not analyse again."""
        return self.root / "analysis.sqlite"

    @property
    def engine_file(self) -> Path:
        """The engine chosen for this folder's index (`ddsearch index --engine`); absent:
        the default."""
        return self.root / "engine"

    @property
    def engine(self) -> str | None:
        """The engine chosen for this folder, or None (the default)."""
        return self.engine_file.read_text().strip() or None if self.engine_file.is_file() else None

    @property
    def lock(self) -> Path:
        return self.root / "writer.lock"

    @property
    def index_lock(self) -> Path:
        """Held while the index is brought in line with the state (a commit): runs, rebuilds
        and corrections made in the browser take turns at it."""
        return self.root / "index.lock"

    @property
    def workspace(self) -> Path:
        """The workspace's accounts, jobs and sign-in attempts (`indexer.workspace`)."""
        return self.root / "workspace.sqlite"

    @property
    def sessions(self) -> Path:
        """Signed-in sessions of the workspace, one file each, shared by the server's
        processes."""
        return self.root / "sessions"

    @property
    def jobs(self) -> Path:
        """The workspace's background runs' progress and reports while they run."""
        return self.root / "jobs"

    @property
    def rejected(self) -> Path:
        """Uploaded files their run could not take, out of the library folder
        (`indexer.workspace.rejected`)."""
        return self.root / "rejected"

    @property
    def last_run(self) -> Path:
        return self.root / "last-run.json"

    @property
    def indexing_begun(self) -> bool:
        """Whether an indexing run has started here (every run takes the writer lock
        first), though the index may have no commit yet."""
        return self.lock.exists()

    @property
    def cache(self) -> Path:
        """Page images and searchable PDFs made by the website, bounded in size."""
        return self.root / "cache"

    @property
    def scratch(self) -> Path:
        """Temporary files of an indexing run's workers, emptied by the next run."""
        return self.root / "tmp"
