"""The extraction processes end with the indexing process, even when it is SIGKILLed.

A killed indexer cannot stop its pool: each worker would wait for work forever, the forkserver
lives while a worker holds its "alive" pipe, the resource tracker while any of them holds its
pipe: some 60 MB each, left running after every killed run (a cron job's timeout). So every
worker watches the indexer and, when it dies, kills the programs it runs (Tesseract, poppler)
and exits; the forkserver and the tracker then see their pipes close and exit by themselves,
the forkserver removing its socket folder (``pymp-*``, which only the indexer would remove).
"""

from __future__ import annotations

import atexit
import contextlib
import multiprocessing
import multiprocessing.forkserver
import multiprocessing.util
import os
import select
import shutil
import signal
import threading

#: Tells the forkserver, and only it, where its socket folder is (it inherits the environment).
SOCKET_FOLDER = "DDSEARCH_FORKSERVER_FOLDER"


def forkserver_context() -> multiprocessing.context.BaseContext:
    """The pool's context, its forkserver started now, having loaded this module."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["__main__", __name__])
    # The forkserver's socket goes into this folder (multiprocessing.connection.arbitrary_address).
    os.environ[SOCKET_FOLDER] = multiprocessing.util.get_temp_dir()
    try:
        multiprocessing.forkserver.ensure_running()
    finally:  # not for the programs the indexer starts later
        del os.environ[SOCKET_FOLDER]
    return context


def follow(indexer_pid: int) -> None:
    """In a worker: end it, with the programs it started, as soon as the indexer has died."""
    try:
        indexer = os.pidfd_open(indexer_pid)
    except ProcessLookupError:  # died while this worker started
        _end()
    except (AttributeError, OSError):  # pidfds are Linux >= 5.3: elsewhere, no watching
        return
    threading.Thread(target=_end_after, args=(indexer,), name="lifeline", daemon=True).start()


def _end_after(indexer: int) -> None:
    select.select([indexer], [], [])  # a process's pidfd turns readable when it exits
    _end()


def _end() -> None:
    for child in _children(os.getpid()):
        with contextlib.suppress(ProcessLookupError):
            os.kill(child, signal.SIGKILL)
    os._exit(1)


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid``, from /proc."""
    children = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as handle:
                    parent = int(handle.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if parent == pid:
                children.append(int(entry.name))
    return children


# In the forkserver (which loads this module first thing): it exits only once the indexer and
# every worker have gone (its "alive" pipe closed), so the folder is no longer needed; an indexer
# that exits normally has removed it already. Workers leave with os._exit, skipping atexit.
if (_folder := os.environ.get(SOCKET_FOLDER)) and multiprocessing.parent_process() is None:
    atexit.register(shutil.rmtree, _folder, ignore_errors=True)
