"""Workspace benchmark (issue 25): do editors at work slow the public search? 20 clients search
(/search, the HTML page) against `ddsearch serve` on loopback, alone and then while 5 editors
sign in and keep correcting documents and uploading PDFs (each upload indexed by a background
run). Prints the searches' latency both ways and the editors' own figures; asserts nothing.

    python bench/workspace_bench.py [--seconds 60] [--clients 20] [--editors 5]
                                    [--think 10..30] [--upload-share 0.15] [--data DIR]

--data: a data folder to copy (it is changed by the editors); without it, the demo corpus and
every PDF of ../shared/corpus/pdf are indexed (text layers only) into a temporary folder. The
alone phase runs before and after the editors' phase; the ratio is against their mean and
against the first (the second once the uploads' runs have ended). Editors' uploads are real
corpus PDFs with text layers, each made a new content by a trailing comment, so every upload
is a real indexing run.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

from web_bench import QUERIES, SHARED_PDFS, build_data, free_port, load, start_server

REPO = Path(__file__).resolve().parents[1]
UPLOADS = ("en_national_research_agenda_2025.pdf", "km_speech_2025_moeys_teachers_day_unicode.pdf")
PASSWORD = "a bench editor's password"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


class Editor:
    """One person in the workspace: a browser's cookie jar, forms with their CSRF tokens."""

    def __init__(self, base: str, name: str):
        self.base, self.name = base, name
        self.http = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        self.timings: dict[str, list[float]] = {"edit": [], "upload": []}
        self.jobs: list[int] = []
        self.errors: list[str] = []

    def get(self, path: str) -> str:
        with self.http.open(self.base + path, timeout=120) as reply:
            return reply.read().decode("utf-8")

    def post(self, path: str, body: bytes, content_type: str) -> tuple[int, str, str]:
        request = urllib.request.Request(
            self.base + path, data=body, headers={"Content-Type": content_type}
        )
        try:
            with self.http.open(request, timeout=300) as reply:
                return reply.status, reply.geturl(), reply.read().decode("utf-8")
        except urllib.error.HTTPError as err:
            return err.code, path, err.read().decode("utf-8", "replace")

    def form(self, path: str, fields: dict, page: str | None = None) -> tuple[int, str, str]:
        token = TOKEN.search(self.get(page or path)).group(1)
        body = urllib.parse.urlencode({**fields, "csrf_token": token}).encode()
        return self.post(path, body, "application/x-www-form-urlencoded")

    def sign_in(self) -> None:
        status, _, _ = self.form("/admin/login", {"username": self.name, "password": PASSWORD})
        assert status == 200, f"{self.name} could not sign in ({status})"

    def edit(self, doc_id: str) -> None:
        started = time.perf_counter()
        stamp = f"{self.name} {time.time():.0f}"
        status, _, _ = self.form(f"/admin/doc/{doc_id}/edit", {"subjects": f"checked by {stamp}"})
        self.timings["edit"].append(time.perf_counter() - started)
        if status != 200:
            self.errors.append(f"edit {doc_id}: {status}")

    def upload(self, pdf: Path) -> None:
        started = time.perf_counter()
        token = TOKEN.search(self.get("/admin/upload")).group(1)
        content = pdf.read_bytes() + f"\n%% uploaded by {self.name} {uuid.uuid4()}\n".encode()
        boundary = uuid.uuid4().hex
        body = b"".join(
            [
                f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
                f"{token}\r\n".encode(),
                f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
                f'filename="{self.name}-{pdf.name}"\r\n'
                "Content-Type: application/pdf\r\n\r\n".encode(),
                content,
                f"\r\n--{boundary}--\r\n".encode(),
            ]
        )
        status, _, page = self.post(
            "/admin/upload", body, f"multipart/form-data; boundary={boundary}"
        )
        self.timings["upload"].append(time.perf_counter() - started)
        if status != 200 or not (found := re.search(r"/admin/jobs/(\d+)", page)):
            self.errors.append(f"upload {pdf.name}: {status}")
            return
        self.jobs.append(int(found.group(1)))


def work(editor: Editor, documents: list[str], stop: threading.Event, args) -> None:
    """Act, think, act again until told to stop: mostly corrections, sometimes an upload."""
    chance = random.Random(editor.name)
    low, high = map(float, args.think.split(".."))
    while not stop.wait(chance.uniform(low, high)):
        try:
            if chance.random() < args.upload_share:
                editor.upload(SHARED_PDFS / chance.choice(UPLOADS))
            else:
                editor.edit(chance.choice(documents))
        except (OSError, AssertionError) as err:
            editor.errors.append(repr(err))


def wait_for_runs(editor: Editor, timeout: float = 1800) -> float:
    """Seconds until no indexing run is queued or running."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        states = {job["state"] for job in json.loads(editor.get("/admin/api/jobs"))["jobs"]}
        if not states & {"queued", "running"}:
            break
        time.sleep(1)
    return time.monotonic() - started


def add_editors(data: Path, count: int) -> list[str]:
    names = [f"editor{n}" for n in range(1, count + 1)]
    for name in names:
        subprocess.run(
            [sys.executable, "-m", "indexer.cli", "user", "add", name, "--role", "editor",
             "--password-stdin", "--index", str(data)],
            input=PASSWORD + "\n", text=True, cwd=REPO, check=True, capture_output=True,
        )  # fmt: skip
    return names


def searches(port: int, args) -> dict:
    return load(port, "/search", args.clients, 10**9, args.seconds, QUERIES)


def row(label: str, figures: dict) -> str:
    return (
        f"| {label} | {figures['requests']} | {figures['rps']:.1f} | {figures['p50']:.0f} | "
        f"{figures['p95']:.0f} | {figures['p99']:.0f} | {len(figures['errors'])} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60, help="each phase")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--editors", type=int, default=5)
    parser.add_argument(
        "--think",
        default="10..30",
        help="seconds between an editor's actions (10..30: a person reading and typing; "
        "2..6: a stress test)",
    )
    parser.add_argument("--upload-share", type=float, default=0.15)
    parser.add_argument("--data", type=Path, help="a data folder to copy and use")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="ddsearch-workspace-bench-") as tmp:
        if args.data:
            data = Path(tmp) / "data"
            shutil.copytree(args.data, data, symlinks=True)
        else:
            data = build_data(Path(tmp))
        names = add_editors(data, args.editors)
        port = free_port()
        server = start_server(data, port)
        base = f"http://127.0.0.1:{port}"
        try:
            load(port, "/search", 2, 2 * len(QUERIES), 60, QUERIES)  # open the searchers
            listed = urllib.request.urlopen(base + "/api/search?per_page=100").read()
            documents = [doc["id"] for doc in json.loads(listed)["results"] if doc["paths"]]
            print(f"load before: {os.getloadavg()[0]:.2f}; {len(documents)} documents; "
                  f"{args.clients} search clients, {args.seconds:.0f} s a phase")  # fmt: skip
            alone_before = searches(port, args)

            editors = [Editor(base, name) for name in names]
            for editor in editors:
                editor.sign_in()
            stop = threading.Event()
            threads = [
                threading.Thread(target=work, args=(editor, documents, stop, args))
                for editor in editors
            ]
            for thread in threads:
                thread.start()
            loaded = searches(port, args)
            stop.set()
            for thread in threads:
                thread.join()
            drained = wait_for_runs(editors[0])  # the uploads' runs end before "alone" again
            alone_after = searches(port, args)
            load_after = os.getloadavg()[0]
        finally:
            server.terminate()
            server.wait(timeout=30)

        print("\n| searches (/search, 12 queries in turn) | requests | req/s | p50 ms | p95 ms "
              "| p99 ms | errors |\n|---|---|---|---|---|---|---|")  # fmt: skip
        print(row("alone, before", alone_before))
        print(row(f"with {args.editors} editors at work", loaded))
        print(row("alone, after", alone_after))
        alone = (alone_before["p95"] + alone_after["p95"]) / 2
        print(f"\np95 with editors / p95 alone: {loaded['p95'] / alone:.2f} against their mean, "
              f"{loaded['p95'] / alone_before['p95']:.2f} against the first (target <= 1.5); "
              f"the editors' last runs ended {drained:.0f} s after they stopped")  # fmt: skip
        edits = [t for e in editors for t in e.timings["edit"]]
        uploads = [t for e in editors for t in e.timings["upload"]]
        job_ids = [j for e in editors for j in e.jobs]
        errors = [x for e in editors for x in e.errors]
        for label, times in (("corrections (GET form + POST)", edits), ("uploads", uploads)):
            if len(times) >= 2:
                cuts = statistics.quantiles(times, n=20)
                print(f"{label}: {len(times)}, median {statistics.median(times) * 1000:.0f} ms, "
                      f"p95 {cuts[18] * 1000:.0f} ms")  # fmt: skip
            else:
                print(f"{label}: {len(times)}")
        print(f"indexing runs queued by uploads: {len(job_ids)}; editors' errors: {len(errors)}")
        for error in errors[:5]:
            print("   ", error)
        print(f"load average (1 min) at the end: {load_after:.2f}")


if __name__ == "__main__":
    main()
