"""Serve the website with waitress: a production WSGI server in pure Python, on any OS."""

from __future__ import annotations

from pathlib import Path

import waitress

from search_web import create_app

#: Searching holds the GIL, so more threads add little; a few keep slow clients and PDF
#: downloads from blocking searches.
THREADS = 6


def serve(data_root: Path | None, host: str = "127.0.0.1", port: int = 8080) -> None:
    """Serve the site over the data folder until interrupted."""
    print(f"ddsearch: serving http://{host}:{port}/ (Ctrl+C to stop)", flush=True)
    waitress.serve(create_app(data_root), host=host, port=port, threads=THREADS, ident="ddsearch")
