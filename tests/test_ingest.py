"""Indexing real PDFs end to end: the gate, OCR, the store, incremental runs and stable ids."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import PDFS, REPO, SHARED, cut_pages, ddsearch

from indexer.config import DataDir
from indexer.engine import open_engine
from indexer.engine.whoosh_backend.backend import VERSION_FILE
from indexer.extract import pdf
from indexer.extract.ocr import DEFAULT_LANG
from indexer.indexing import sync
from indexer.indexing.lock import writer_lock
from indexer.indexing.progress import Progress
from indexer.indexing.run import run_index
from indexer.library.store import Store
from indexer.text.khmer import normalize

pytestmark = pytest.mark.slow  # indexing runs with worker processes, Tesseract and the CLI


def run(data: DataDir, *roots: Path, ocr_mode: str = "auto") -> tuple[dict, Progress]:
    progress = Progress(quiet=True)
    report = run_index(
        data, list(roots), jobs=2, ocr_mode=ocr_mode, ocr_lang=DEFAULT_LANG, progress=progress
    )
    return report.to_dict(), progress


def pages_of(data: DataDir, report_entry: dict) -> list[dict]:
    return open_engine(data.index).pages(report_entry["id"])


@pytest.fixture
def data(tmp_path: Path) -> DataDir:
    return DataDir(tmp_path / "data")


@pytest.fixture
def library(tmp_path: Path) -> Path:
    folder = tmp_path / "library"
    folder.mkdir()
    return folder


def test_text_layers_kept_and_scans_ocred(data, library, shared_corpus):
    shutil.copy(PDFS / "km_speech_2025_moeys_teachers_day_unicode.pdf", library / "speech.pdf")
    shutil.copy(
        PDFS / "en_petroleum_regulation_second_amendment_unofficial.pdf", library / "en.pdf"
    )
    cut_pages(
        PDFS / "km_subdecree_2002_060_civil_registration_amend_art8_59.pdf",
        [1],
        library / "scan.pdf",
    )
    cut_pages(PDFS / "km_guideline_1993_role_limon.pdf", [1], library / "limon.pdf")

    report, progress = run(data, library)

    by_name = {Path(entry["path"]).name: entry for entry in report["added"]}
    assert set(by_name) == {"speech.pdf", "en.pdf", "scan.pdf", "limon.pdf"}
    assert by_name["speech.pdf"]["pages_text"] == 5 and by_name["speech.pdf"]["pages_ocr"] == 0
    assert by_name["en.pdf"]["pages_text"] == 3 and by_name["en.pdf"]["pages_ocr"] == 0
    # A scanned sub-decree: no text layer, so OCR; its title words come out.
    scan = pages_of(data, by_name["scan.pdf"])
    assert [p["method"] for p in scan] == ["ocr"]
    assert "អនុក្រឹត្យ" in scan[0]["text"]
    # A Limon page extracts as Latin garbage (maRta): its runs are converted to Unicode instead.
    limon = pages_of(data, by_name["limon.pdf"])
    assert limon[0]["method"] == "converted" and by_name["limon.pdf"]["pages_converted"] == 1
    assert limon[0]["text"].startswith("គោលការណ៍ណែនាំស្តីពីតួនាទីរបស់ព្រះរាជអាជ្ញា")
    assert progress.pages_ocr == 1
    english = pages_of(data, by_name["en.pdf"])
    assert all(p["method"] == "text" for p in english)
    assert "petroleum" in " ".join(p["text"] for p in english).lower()


def test_broken_tounicode_page_is_caught_and_ocr_matches_ground_truth(data, library, shared_corpus):
    cut_pages(PDFS / "km_constitution_2015_broken_tounicode.pdf", [3], library / "constitution.pdf")
    report, _ = run(data, library)
    page = pages_of(data, report["added"][0])[0]
    assert page["method"] == "ocr"
    clean = squeeze(
        (SHARED / "ocr_gt" / "constitution_2015" / "constitution_2015_clean.md").read_text("utf-8")
    )
    layer = pdf.text_layer(library / "constitution.pdf", 1)[0]
    # Share of the page's character 4-grams found in the hand-cleaned text of the constitution.
    assert gram_share(page["text"], clean) > 0.6
    assert gram_share(page["text"], clean) > 2 * gram_share(layer, clean)


def squeeze(text: str) -> str:
    return "".join(normalize(text).split())


def gram_share(text: str, reference: str) -> float:
    text = squeeze(text)
    grams = [text[i : i + 4] for i in range(len(text) - 3)]
    return sum(gram in reference for gram in grams) / max(1, len(grams))


def test_rerun_rename_duplicate_replace_remove(data, library, shared_corpus):
    speech = PDFS / "km_speech_2025_moeys_teachers_day_unicode.pdf"
    english = PDFS / "en_petroleum_regulation_second_amendment_unofficial.pdf"
    shutil.copy(speech, library / "a.pdf")
    cut_pages(PDFS / "km_subdecree_2005_106_civil_registration.pdf", [1], library / "scan.pdf")
    first, _ = run(data, library)
    ids = {Path(e["path"]).name: e["id"] for e in first["added"]}

    second, progress = run(data, library)
    assert len(second["unchanged"]) == 2 and not second["added"] and progress.pages_done == 0

    (library / "scan.pdf").rename(library / "renamed-scan.pdf")
    shutil.copy(library / "a.pdf", library / "copy-of-a.pdf")
    third, progress = run(data, library)
    assert progress.pages_ocr == 0, "a rename must not OCR again"
    moved = third["updated"][0]
    assert moved["id"] == ids["scan.pdf"] and moved["moved_from"].endswith("scan.pdf")
    assert third["duplicates"][0]["id"] == ids["a.pdf"]
    assert sorted(Path(p).name for p in engine_paths(data, ids["a.pdf"])) == [
        "a.pdf",
        "copy-of-a.pdf",
    ]
    assert not third["removed"]

    shutil.copy(english, library / "a.pdf")  # a corrected version replaces a.pdf...
    (library / "copy-of-a.pdf").unlink()  # ...and the copy goes: the id follows the path
    fourth, _ = run(data, library)
    assert [e["id"] for e in fourth["updated"]] == [ids["a.pdf"]], "a replacement keeps its id"
    assert [Path(e["path"]).name for e in fourth["removed"]] == ["copy-of-a.pdf"]
    assert "petroleum" in open_engine(data.index).pages(ids["a.pdf"])[0]["text"].lower()

    (library / "renamed-scan.pdf").unlink()
    fifth, _ = run(data, library)
    assert [e["id"] for e in fifth["removed"]] == [ids["scan.pdf"]]
    assert open_engine(data.index).document(ids["scan.pdf"]) is None
    assert open_engine(data.index).document(ids["a.pdf"]) is not None


def engine_paths(data: DataDir, doc_id: str) -> list[str]:
    paths = open_engine(data.index).document(doc_id)["paths"]
    return json.loads(paths) if isinstance(paths, str) else paths


def test_bad_inputs_are_reported_and_the_batch_goes_on(data, library, shared_corpus, tmp_path):
    good = library / "good.pdf"
    shutil.copy(PDFS / "en_petroleum_regulation_second_amendment_unofficial.pdf", good)
    (library / "empty.pdf").write_bytes(b"")
    (library / "truncated.pdf").write_bytes(good.read_bytes()[:5000])
    (library / "html.pdf").write_text("<html><body>not a pdf</body></html>")
    (library / "vanished.pdf").symlink_to(tmp_path / "no-such-file.pdf")
    import pypdfium2 as pdfium

    pdfium.PdfDocument.new().save(str(library / "no-pages.pdf"))
    encrypt = ["qpdf", "--encrypt", "secret", "owner", "256", "--"]
    import subprocess

    subprocess.run([*encrypt, str(good), str(library / "encrypted.pdf")], check=True)

    report, _ = run(data, library)

    reasons = {Path(e["path"]).name: e["reason"] for e in report["failed"]}
    assert set(reasons) == {
        "empty.pdf",
        "truncated.pdf",
        "html.pdf",
        "vanished.pdf",
        "no-pages.pdf",
        "encrypted.pdf",
    }
    assert "empty" in reasons["empty.pdf"]
    assert "password" in reasons["encrypted.pdf"]
    assert "no pages" in reasons["no-pages.pdf"]
    assert "not a readable PDF" in reasons["html.pdf"]
    assert all("\n" not in reason for reason in reasons.values())
    assert [Path(e["path"]).name for e in report["added"]] == ["good.pdf"]


def test_cli_report_status_and_exit_codes(data, library, shared_corpus, tmp_path):
    shutil.copy(PDFS / "km_speech_2025_moeys_teachers_day_unicode.pdf", library / "speech.pdf")
    (library / "broken.pdf").write_bytes(b"%PDF-1.4 broken")
    report_file = tmp_path / "report.json"
    done = ddsearch("index", str(library), "--report", str(report_file), data=data.root)
    assert done.returncode == 1, done.stderr
    report = json.loads(report_file.read_text("utf-8"))
    assert set(report) >= {"added", "updated", "unchanged", "duplicates", "removed", "failed"}
    assert report["failed"][0]["path"].endswith("broken.pdf") and report["failed"][0]["reason"]
    assert set(report["added"][0]) >= {"path", "id", "pages_text", "pages_ocr"}

    figures = json.loads(ddsearch("status", "--json", data=data.root, check=True).stdout)
    assert figures["documents"] == 1 and figures["pages"] == 5
    assert figures["pages_by_method"] == {"text": 5}
    assert len(figures["last_run"]["failed"]) == 1 and figures["index_bytes"] > 0

    (library / "broken.pdf").unlink()
    assert ddsearch("index", str(library), data=data.root).returncode == 0
    doc_id = report["added"][0]["id"]
    removed = ddsearch("remove", doc_id, data=data.root, check=True)
    assert doc_id in removed.stdout
    assert json.loads(ddsearch("status", "--json", data=data.root).stdout)["documents"] == 0


def test_rebuild_keeps_ids_and_needs_no_ocr(data, library, shared_corpus):
    cut_pages(PDFS / "km_law_1996_02.pdf", [1], library / "law.pdf")
    first, _ = run(data, library)
    doc_id = first["added"][0]["id"]
    before = open_engine(data.index).pages(doc_id)
    store = Store(data.store)
    ocr_rows = store.db.execute("SELECT count(*) FROM pages WHERE method = 'ocr'").fetchone()
    store.close()
    assert sync.rebuild(data, print) == 1
    assert open_engine(data.index).pages(doc_id) == before
    store = Store(data.store)
    assert (
        store.db.execute("SELECT count(*) FROM pages WHERE method = 'ocr'").fetchone() == ocr_rows
    )
    store.close()
    second, progress = run(data, library)
    assert second["unchanged"][0]["id"] == doc_id and progress.pages_done == 0


def test_a_log_gets_progress_lines_between_files(data, library, shared_corpus):
    """Not on a terminal, a line with pages, rate and ETA comes every ``log_every`` seconds of
    pages (here every page); at the default 30 s a run this short prints none."""
    for name in (
        "km_speech_2025_moeys_teachers_day_unicode.pdf",
        "en_petroleum_regulation_second_amendment_unofficial.pdf",
    ):
        shutil.copy(PDFS / name, library / name)
    logs = {}
    for every in (0.0, 30.0):
        log = io.StringIO()
        run_index(
            data if every else DataDir(data.root.with_name("other")),
            [library],
            jobs=1,
            ocr_mode="never",
            ocr_lang=DEFAULT_LANG,
            progress=Progress(log, live=False, log_every=every),
        )
        logs[every] = log.getvalue().splitlines()
    pattern = re.compile(r"(\d+)/[38] pages \(0 OCR\) · [\d.]+ pages/s · ETA (\d+:\d\d|--:--)$")
    progress_lines = [line for line in logs[0.0] if pattern.search(line)]
    assert [int(pattern.search(line)[1]) for line in progress_lines] == list(range(1, 9))
    first_file = next(i for i, line in enumerate(logs[0.0]) if line.startswith("[1/2] added"))
    assert any(pattern.search(line) for line in logs[0.0][:first_file]), "silent within a file"
    assert not any(pattern.search(line) for line in logs[30.0])
    assert sum(line.startswith(("[1/2] added", "[2/2] added")) for line in logs[30.0]) == 2


def test_kill_9_mid_ocr_leaves_a_working_index_and_resumes(tmp_path, library, shared_corpus):
    data = tmp_path / "data"
    shutil.copy(PDFS / "km_speech_2025_moeys_teachers_day_unicode.pdf", library / "speech.pdf")
    ddsearch("index", str(library), data=data, check=True)
    cut_pages(PDFS / "km_law_2003_amend_art26_finance_law.pdf", [1, 2, 3, 4], library / "scan.pdf")
    env = {**os.environ, "DDSEARCH_INDEX": str(data)}
    command = [sys.executable, "-m", "indexer.cli", "index", str(library), "--jobs", "1"]
    process = subprocess.Popen(
        command, env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    store = DataDir(data).store
    deadline = time.monotonic() + 120
    while ocr_pages(store) < 1 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)  # a page is read in about half a second
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    done_before = ocr_pages(store)
    assert 1 <= done_before < 4, "the kill should land in the middle of the OCR"

    # The index opens and searches; the killed run's writer lock is noticed and cleared.
    figures = json.loads(ddsearch("status", "--json", data=data, check=True).stdout)
    assert figures["documents"] == 1
    rerun = ddsearch(
        "index", str(library), "--report", str(tmp_path / "r.json"), data=data, check=True
    )
    assert "stale writer lock" in rerun.stderr
    report = json.loads((tmp_path / "r.json").read_text("utf-8"))
    assert report["added"][0]["pages_ocr"] == 4
    assert ocr_pages(store) == 4
    assert json.loads(ddsearch("status", "--json", data=data).stdout)["documents"] == 2


def ocr_pages(store: Path) -> int:
    if not store.exists():
        return 0
    with sqlite3.connect(store, timeout=30) as db:
        try:
            return db.execute("SELECT count(*) FROM pages WHERE method = 'ocr'").fetchone()[0]
        except sqlite3.OperationalError:
            return 0


def test_a_second_writer_exits_with_a_clear_message(data, library, shared_corpus):
    shutil.copy(PDFS / "km_speech_2025_moeys_teachers_day_unicode.pdf", library / "speech.pdf")
    with writer_lock(data.lock, print):
        done = ddsearch("index", str(library), data=data.root)
    assert done.returncode == 3
    assert "another ddsearch process" in done.stderr and str(os.getpid()) in done.stderr
    assert ddsearch("index", str(library), data=data.root).returncode == 0


def test_an_index_from_another_schema_version_is_rebuilt_from_the_store(data, library):
    shutil.copy(PDFS / "km_speech_2025_moeys_teachers_day_unicode.pdf", library / "speech.pdf")
    first, _ = run(data, library)
    (data.index / VERSION_FILE).write_text("0\n")  # as if an older ddsearch wrote it
    second, progress = run(data, library)
    assert second["unchanged"][0]["id"] == first["added"][0]["id"] and progress.pages_done == 0
    assert (data.index / VERSION_FILE).read_text().strip() == open_engine(data.index).version
    assert len(open_engine(data.index).pages(first["added"][0]["id"])) == 5


def test_catalogue_edits_apply_without_extracting_again(data, library, tmp_path):
    shutil.copy(PDFS / "km_speech_2025_moeys_teachers_day_unicode.pdf", library / "speech.pdf")
    shutil.copy(
        PDFS / "en_petroleum_regulation_second_amendment_unofficial.pdf", library / "en.pdf"
    )
    first, _ = run(data, library)
    ids = {Path(e["path"]).name: e["id"] for e in first["added"]}
    exported = ddsearch("catalog", "export", str(library / "catalog.csv"), data=data.root)
    assert exported.returncode == 0, exported.stderr
    sheet = (library / "catalog.csv").read_text("utf-8-sig").splitlines()
    assert sheet[0].startswith("id,path,title,type,date,year")
    # The librarian edits in a spreadsheet: a corrected title and date (as a spreadsheet saves
    # it; it gives the year), a typo'd type, a stray path.
    rows = [
        "id,path,title,type,date,year,number,languages,issuer",
        f"{ids['speech.pdf']},,សុន្ទរកថា ទិវាគ្រូបង្រៀន,speech,2025/10/5,,,,",
        ",en.pdf,,sub-decre,,,,,",
        ",missing.pdf,Nothing,law,,2001,,,",
    ]
    (library / "catalog.csv").write_bytes(("\ufeff" + "\r\n".join(rows) + "\r\n").encode("utf-8"))

    second, progress = run(data, library)

    assert progress.pages_done == 0, "catalogue edits must not extract or OCR anything"
    speech = open_engine(data.index).document(ids["speech.pdf"])
    assert speech["title"] == "សុន្ទរកថា ទិវាគ្រូបង្រៀន" and speech["year"] == 2025
    assert speech["date"] == "2025-10-05"
    problems = " | ".join(second["catalog_problems"])
    assert "row 3" in problems and "row 4" in problems, problems
    assert open_engine(data.index).document(ids["en.pdf"])["type"] != "sub-decre"


@pytest.mark.slow
def test_before_the_first_commit_search_says_indexing_is_under_way(tmp_path, library):
    """A library's first run OCRs for minutes before it commits: search and the site answer
    with no results and say why, during the run and after it was killed (exit 0, valid JSON)."""
    from search_web import create_app

    data = tmp_path / "data"
    cut_pages(PDFS / "km_law_2003_amend_art26_finance_law.pdf", [1, 2, 3], library / "scan.pdf")
    env = {**os.environ, "DDSEARCH_INDEX": str(data)}
    command = [sys.executable, "-m", "indexer.cli", "index", str(library), "--jobs", "1"]
    process = subprocess.Popen(
        command, env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 120
    while ocr_pages(DataDir(data).store) < 1 and time.monotonic() < deadline:
        time.sleep(0.2)
    # Held where it is (its workers may read on, only the indexing process commits): three
    # pages are read in seconds, so a run left going could commit before the checks end.
    process.send_signal(signal.SIGSTOP)
    for moment in ("during the run", "after it was killed"):
        assert not DataDir(data).index.exists(), moment  # no commit yet
        done = ddsearch("search", "ច្បាប់", "--json", data=data)
        assert done.returncode == 0, (moment, done.stderr)
        result = json.loads(done.stdout)
        assert result["total"] == 0 and "under way" in result["notice"], moment
        plain = ddsearch("search", "ច្បាប់", data=data)
        assert plain.returncode == 0 and "under way" in plain.stdout, moment
        client = create_app(data).test_client()
        page = client.get("/search?q=ច្បាប់")
        assert page.status_code == 200 and "Indexing is under way" in page.get_data(as_text=True)
        assert client.get("/api/search?q=x").get_json()["notice"], moment
        process.kill()  # SIGKILL; nothing once the process was waited for
        process.wait()


def test_pages_left_for_ocr_are_counted_as_awaiting_it(data, library):
    """--ocr never stores a failing page as skipped: status counts it in the total and as
    awaiting OCR (it showed 0 before), and the report entry says how many."""
    cut_pages(PDFS / "km_law_2003_amend_art26_finance_law.pdf", [1, 2], library / "scan.pdf")
    report, _ = run(data, library, ocr_mode="never")
    assert report["added"][0]["pages_awaiting_ocr"] == 2
    figures = json.loads(ddsearch("status", "--json", data=data.root, check=True).stdout)
    assert figures["pages"] == 2 and figures["pages_by_method"] == {"skipped": 2}
    text = ddsearch("status", data=data.root, check=True).stdout
    assert "2 awaiting OCR" in text


def test_an_unknown_type_is_a_usage_error_that_lists_the_types(tmp_path):
    done = ddsearch("search", "law", "--type", "nonsense", data=tmp_path / "data")
    assert done.returncode == 2
    assert "nonsense" in done.stderr and "sub-decree" in done.stderr
