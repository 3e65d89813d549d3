"""Serve the website with gunicorn: one process per core, as searching holds the GIL.

Measured on the 5,000-document benchmark index with 20 clients (bench/RESULTS.md, Web):
2 gunicorn processes answered 1.8-2.0 times as many searches per second as waitress's
single process did.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

from gunicorn.app.base import BaseApplication

from indexer.workspace import jobs
from search_web import create_app

#: Threads per process: a few keep slow clients and PDF downloads from blocking searches.
THREADS = 4


class _Server(BaseApplication):
    """gunicorn's documented way to serve an application object from Python."""

    def __init__(self, app, options: dict):
        self.application, self.options = app, options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return self.application


def default_workers() -> int:
    return len(os.sched_getaffinity(0))


def serve(
    data_root: Path | None,
    host: str = "127.0.0.1",
    port: int = 8080,
    workers: int = 0,
    library: Path | None = None,
    proxies: int | None = None,
) -> None:
    """Serve the site over the data folder until interrupted; 0 workers: one per core;
    ``proxies``: reverse proxies in front (`search_web.trust_proxies`)."""
    try:  # gunicorn would retry for 5 s and then log "Can't connect"
        socket.create_server((host, port)).close()
    except OSError as err:
        raise SystemExit(
            f"ddsearch: cannot listen on {host}:{port} ({err.strerror}): stop the program "
            "using it or choose another --port."
        ) from None
    print(f"ddsearch: serving http://{host}:{port}/ (Ctrl+C to stop)", flush=True)
    options = {
        "bind": f"{host}:{port}",
        "workers": workers or default_workers(),
        "worker_class": "gthread",
        "threads": THREADS,
        # A process takes no more connections than it has threads and closes each after its
        # response, so waiting connections stay in the kernel's queue for whichever process is
        # free. With keep-alive a connection stays with the process that accepted it: with 20
        # clients one process held 15 (180 ms mean response), the other 5 (60 ms), and p95 was
        # 259-292 ms instead of 171-190 ms (bench/RESULTS.md, Web).
        "worker_connections": THREADS,
        "keepalive": 0,
        "graceful_timeout": 5,  # Ctrl+C or SIGTERM stops within seconds
        "control_socket_disable": True,  # no gunicorn.ctl in the user's home, shared by servers
        "proc_name": "ddsearch",
    }
    app = create_app(data_root, library, proxies)
    # Each worker runs the workspace's job runner thread (threads do not survive the fork):
    # the queued indexing runs go on after a restart without waiting for a request.
    options["post_fork"] = lambda server, worker: jobs.start_runner(app.config["DATA"])
    # The app (and the Khmer word model it loads) is built once, before the workers fork.
    _Server(app, options).run()
