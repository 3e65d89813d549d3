"""The librarian's catalogue: export, edit in a spreadsheet, read back, override detection."""

from __future__ import annotations

from pathlib import Path

from indexer.library.catalog import (
    CATALOG_FILE,
    COLUMNS,
    apply,
    read_catalog,
    resolve,
    write_catalog,
)

DOCUMENTS = [
    {
        "id": "d1",
        "paths": ["subdecrees/anukret_40.pdf"],
        "title": "អនុក្រឹត្យ ស្តីពី ការកំណត់ចំនួនសមាជិកក្រុមប្រឹក្សាឃុំ, សង្កាត់\nឧបសម្ព័ន្ធ",
        "type": "sub-decree",
        "year": 2001,
        "number": "40 អនក្រ.បក",
        "languages": ["km"],
        "issuer": "រាជរដ្ឋាភិបាល",
        "overridden": ["year"],
    },
    {
        "id": "d2",
        "paths": ["reports/a.pdf", "copies/a.pdf"],
        "title": '- Annual report, 2019 "draft"',
        "type": "report",
        "year": None,
        "number": "",
        "languages": ["km", "en"],
        "issuer": "",
        "overridden": [],
    },
]
PATHS = {"subdecrees/anukret_40.pdf": "d1", "reports/a.pdf": "d2", "copies/a.pdf": "d2"}


def test_export_is_utf8_with_bom_and_crlf(tmp_path: Path) -> None:
    target = tmp_path / CATALOG_FILE
    write_catalog(target, DOCUMENTS)
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.split(b"\r\n", 1)[0].decode("utf-8-sig") == ",".join(COLUMNS)
    assert "អនុក្រឹត្យ".encode() in raw
    assert [p.name for p in tmp_path.iterdir()] == [CATALOG_FILE]  # no temporary file left


def test_export_then_read_round_trips_every_field(tmp_path: Path) -> None:
    target = tmp_path / CATALOG_FILE
    write_catalog(target, DOCUMENTS)
    rows, problems = read_catalog(target)
    assert problems == []
    first, second = rows
    assert (first.row, first.key, first.paths) == (2, "d1", ("subdecrees/anukret_40.pdf",))
    assert first.values["title"] == " ".join(DOCUMENTS[0]["title"].split())
    assert first.values["year"] == 2001 and first.values["languages"] == ["km"]
    assert first.values["number"] == "40 អនក្រ.បក"
    assert second.paths == ("reports/a.pdf", "copies/a.pdf")
    assert second.values["title"] == '- Annual report, 2019 "draft"'  # formula guard undone
    assert "year" not in second.values and "number" not in second.values  # empty: no override
    assert second.values["languages"] == ["km", "en"]


def test_export_guards_cells_excel_would_run_as_formulas(tmp_path: Path) -> None:
    target = tmp_path / CATALOG_FILE
    write_catalog(target, DOCUMENTS)
    assert "'- Annual report" in target.read_text(encoding="utf-8-sig")


def test_catalogue_saved_by_excel_reads(tmp_path: Path) -> None:
    """Excel's "CSV UTF-8": BOM, CRLF, quotes only where needed, numbers as typed."""
    target = tmp_path / CATALOG_FILE
    target.write_bytes(
        "\ufeffid,path,title,type,year,number,languages,issuer,overridden\r\n"
        'd1,subdecrees/anukret_40.pdf,"ច្បាប់ ស្តីពី ការវិនិយោគ, ថ្មី",law,1994,,km,,\r\n'
        "d2,,,Royal decree,2005.0,,,,\r\n".encode()
    )
    rows, problems = read_catalog(target)
    assert problems == []
    assert rows[0].values == {"title": "ច្បាប់ ស្តីពី ការវិនិយោគ, ថ្មី", "type": "law", "year": 1994,
                              "languages": ["km"]}  # fmt: skip
    assert rows[1].values == {"type": "royal-decree", "year": 2005}


def test_catalogue_saved_by_libreoffice_with_semicolons_reads(tmp_path: Path) -> None:
    """No BOM, LF line ends, ';' separator, a cell with a line break, Khmer digits and names."""
    target = tmp_path / CATALOG_FILE
    target.write_text(
        "path;type;year;title;Languages\n"
        'subdecrees/anukret_40.pdf;អនុក្រឹត្យ;២០០១;"two\nlines";km, en\n'
        "reports\\a.pdf;report;;;\n",
        encoding="utf-8",
    )
    rows, problems = read_catalog(target)
    assert problems == []
    assert rows[0].values == {"type": "sub-decree", "year": 2001, "title": "two lines",
                              "languages": ["km", "en"]}  # fmt: skip
    assert rows[1].paths == ("reports/a.pdf",)  # Windows separators accepted
    overrides, problems = resolve(rows, PATHS)
    assert problems == [] and set(overrides) == {"d1", "d2"}


def test_bad_rows_are_reported_with_row_numbers_and_good_rows_still_apply(tmp_path: Path) -> None:
    target = tmp_path / CATALOG_FILE
    target.write_text(
        "id,path,title,type,year,languages\n"
        "d1,,Good title,,,\n"  # row 2
        'd2,,"multi\nline title",decree-ish,,\n'  # row 3 (one record over two lines)
        ",,orphan title,law,,\n"  # row 4
        "d2,,,law,20011,\n"  # row 5
        ",,,,,\n"  # row 6, blank: ignored
        "d2,,,,1999,\n"  # row 7
        "d2,,,,,fr\n"  # row 8
        "nope,,,law,,\n",  # row 9: valid, but names no document
        encoding="utf-8",
    )
    rows, problems = read_catalog(target)
    assert [row.row for row in rows] == [2, 7, 9]
    assert len(problems) == 4
    assert problems[0].startswith("catalog.csv row 3: unknown type 'decree-ish'")
    assert problems[1].startswith("catalog.csv row 4: it has neither an id nor a path")
    assert problems[2].startswith("catalog.csv row 5: '20011' is not a possible year")
    assert problems[3].startswith("catalog.csv row 8: unknown language in 'fr'")
    assert all(p.endswith("the row was skipped.") for p in problems)
    overrides, problems = resolve(rows, PATHS)
    assert overrides == {"d1": {"title": "Good title"}, "d2": {"year": 1999}}
    assert problems == [
        "catalog.csv row 9: no document in the library has the id or path 'nope'; correct it, "
        "or delete the row if the file is gone. The row was skipped."
    ]


def test_rows_match_by_id_then_by_any_path_and_duplicates_are_reported(tmp_path: Path) -> None:
    target = tmp_path / CATALOG_FILE
    target.write_text(
        "id,path,type\n"
        "stale-id,copies/a.pdf,report\n"  # unknown id, known second path of d2
        ",./subdecrees/anukret_40.pdf,sub-decree\n"
        "d1,,law\n",  # second row for d1
        encoding="utf-8",
    )
    rows, problems = read_catalog(target)
    assert problems == []
    overrides, problems = resolve(rows, PATHS)
    assert overrides == {"d2": {"type": "report"}, "d1": {"type": "sub-decree"}}
    assert problems == [
        "catalog.csv row 4: document d1 already has row 3; keep one of the two. Row 4 was skipped."
    ]


def test_apply_overrides_only_what_differs() -> None:
    detected = {"title": "t", "type": "other", "year": None, "number": "", "languages": ["km"],
                "issuer": ""}  # fmt: skip
    effective, changed = apply(detected, {"type": "law", "languages": ["km"], "year": 1994})
    assert effective["type"] == "law" and effective["year"] == 1994
    assert effective["title"] == "t"
    assert changed == ["type", "date", "year"]  # the year gives the date: the librarian's too


def test_unreadable_or_headerless_catalogues_are_explained(tmp_path: Path) -> None:
    target = tmp_path / CATALOG_FILE
    assert read_catalog(target) == ([], [])  # no catalogue yet: nothing to apply
    target.write_bytes("id,title\nd1,Décret\n".encode("cp1252"))
    rows, problems = read_catalog(target)
    assert rows == [] and "is not UTF-8" in problems[0]
    target.write_text("title,type\nx,law\n", encoding="utf-8")
    rows, problems = read_catalog(target)
    assert rows == [] and "no 'id' or 'path' column" in problems[0]


def test_rewriting_replaces_the_catalogue_whole(tmp_path: Path) -> None:
    target = tmp_path / CATALOG_FILE
    write_catalog(target, DOCUMENTS)
    write_catalog(target, DOCUMENTS[1:])
    rows, _ = read_catalog(target)
    assert [row.key for row in rows] == ["d2"]
    assert target.stat().st_mode & 0o777 == 0o644


def test_a_date_cell_is_read_as_typed_or_as_a_spreadsheet_saves_it(tmp_path: Path) -> None:
    from indexer.library.catalog import parse_date

    assert parse_date("2004-07-15") == "2004-07-15"
    assert parse_date("2004/7/5") == "2004-07-05"  # a spreadsheet's own format
    assert parse_date("2004-07-15 00:00:00") == "2004-07-15"
    assert parse_date("២០០៤-០៧") == "2004-07"
    assert parse_date("2004") == "2004"
    assert parse_date("2004-02-30") is None and parse_date("15 July") is None
    sheet = tmp_path / CATALOG_FILE
    sheet.write_text(
        "id,date,year\r\nd1,2004-07-15,\r\nd2,2004-07,2005\r\nd3,July,\r\n", encoding="utf-8"
    )
    rows, problems = read_catalog(sheet)
    assert [row.values for row in rows] == [{"date": "2004-07-15"}]
    assert "row 3" in problems[0] and "not of the year 2005" in problems[0]
    assert "row 4" in problems[1] and "2004-07-15, 2004-07 or 2004" in problems[1]
    effective, changed = apply({"date": "2004-03", "year": 2004, "confidence": {"date": 0.5}},
                               {"date": "2004-07-15"})  # fmt: skip
    assert (effective["date"], effective["year"], changed) == ("2004-07-15", 2004, ["date"])
    assert "date" not in effective["confidence"]  # the librarian's, not a detection
    effective, _ = apply({"date": "2004-03-02", "year": 2004}, {"year": 2005})
    assert (effective["date"], effective["year"]) == ("2005", 2005)  # no date of another year


def test_a_sheet_row_changes_only_the_cells_changed_since_it_was_last_applied() -> None:
    from indexer.library.catalog import merge_sheet

    base = {"title": "Old title", "year": 2001}
    browser = {"title": "Corrected in the browser", "year": 2001, "shelf": "B3"}
    # The spreadsheet is unchanged: the browser's corrections stay.
    assert merge_sheet(browser, base, dict(base)) == browser
    # The year cell changed: only the year is taken; an emptied title cell gives the title
    # back to detection.
    assert merge_sheet(browser, base, {"title": "Old title", "year": 2002})["year"] == 2002
    assert merge_sheet(browser, base, {"year": 2001}) == {"year": 2001, "shelf": "B3"}
    # A first run (no base): every cell is taken, as before the browser existed.
    assert merge_sheet({}, {}, {"title": "T", "number": "12"}) == {"title": "T", "number": "12"}


def test_formula_starts_include_tab_and_carriage_return() -> None:
    from indexer.library.catalog import quote_formula

    for cell in ("=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"):
        assert quote_formula(cell) == "'" + cell
    assert quote_formula("ordinary") == "ordinary"


def test_the_withdrawn_column_round_trips_and_a_bad_cell_is_a_sentence(tmp_path: Path) -> None:
    target = tmp_path / CATALOG_FILE
    write_catalog(target, [DOCUMENTS[0] | {"withdrawn": True}, DOCUMENTS[1]])
    first, second = read_catalog(target)[0]
    assert first.values["withdrawn"] is True and "withdrawn" not in second.values
    text = target.read_text(encoding="utf-8-sig").replace(",yes,", ",maybe,")
    target.write_text(text, encoding="utf-8-sig")
    rows, problems = read_catalog(target)
    assert [row.id for row in rows] == ["d2"]
    assert "row 2: the withdrawn cell says 'maybe'" in problems[0]
