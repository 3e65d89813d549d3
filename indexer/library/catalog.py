"""The librarian's catalogue: a CSV in the library folder whose non-empty cells override the
detected metadata, edited in a spreadsheet program.

Files written here open in Excel and LibreOffice with Khmer intact (UTF-8 with a BOM), and files
saved back by them read cleanly (BOM or not, CRLF or LF, ',' or ';' as the separator, quoted
cells with commas and line breaks). A bad row never spoils the others: it is skipped and
reported by its row number as the spreadsheet shows it (the header is row 1).
"""

from __future__ import annotations

import csv
import datetime
import io
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from indexer.errors import Sentence
from indexer.library.gazetteer import gazetteer
from indexer.model import LIBRARIAN_ONLY
from indexer.text.khmer import normalize
from indexer.vocabulary import TYPE_KEYS, TYPES, language_code, plausible_year

CATALOG_FILE = "catalog.csv"
EDITABLE = ("title", "type", "date", "year", "number", "languages", "issuer", "places", "work")
#: Fields only the librarian gives (`indexer.model.LIBRARIAN_ONLY`): what a record of a printed
#: book holds besides the above, and a printed copy's place for any document.
CATALOGUED = (*EDITABLE, *LIBRARIAN_ONLY)
#: Whether the document is off the public site ("yes"; empty: shown). Emptying the cell puts
#: it back and "yes" withdraws it, as the workspace's buttons do.
WITHDRAWN = "withdrawn"
WITHDRAWN_YES = ("yes", "y", "true", "1", "x", "withdrawn", "បាទ", "ចាស")
WITHDRAWN_NO = ("", "no", "n", "false", "0", "ទេ")
#: Read-only columns: which values come from the catalogue, how sure detection was of each
#: detected field ("date 0.50 title 0.81"), and those it doubts (`metadata.DOUBTFUL_BELOW`).
COLUMNS = ("id", "path", *CATALOGUED, WITHDRAWN, "overridden", "confidence", "doubtful")
#: Several paths of one document (the same file in two folders) share a cell.
PATH_SEPARATOR = " | "
#: Several places of one document share a cell, each as "Province / District / Commune".
PLACE_SEPARATOR = "; "
#: A cell that says "none": no place, no other language version (detection is overruled).
NONE = "-"
#: Excel runs a cell starting with one of these as a formula; such cells are written after a
#: quote mark (and read back without it).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class CatalogRow:
    """One valid catalogue row: the document it names and the cells that override detection."""

    row: int  # as the spreadsheet numbers it: the header is row 1
    id: str
    paths: tuple[str, ...]
    values: dict = field(default_factory=dict)  # editable field -> parsed value, non-empty only

    @property
    def key(self) -> str:
        """The document id when the row has one, else its (first) library-relative path."""
        return self.id or self.paths[0]


def _type_names() -> dict[str, str]:
    """Every accepted spelling of a type (key, English or Khmer name), folded, to its key."""
    names = {}
    for entry in TYPES:
        for name in (entry["key"], entry["en"], entry["km"]):
            names[normalize(name).replace("_", "-")] = entry["key"]
    return names


def read_catalog(path: Path) -> tuple[list[CatalogRow], list[str]]:
    """Read and check a catalogue: the good rows, and one sentence per problem (with its row).

    A missing file is an empty catalogue. Blank rows are ignored; unknown columns (such as
    "overridden") are ignored too, so an exported file can be edited and saved back as it is.
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return [], []
    header, numbered, problem = read_sheet(raw, path.name)
    if problem:
        return [], [problem]
    if numbered and "id" not in header and "path" not in header:
        return [], [
            f"{path.name} has no 'id' or 'path' column in its first row: export a catalogue "
            "with `ddsearch catalog export` and edit that."
        ]
    rows, problems = [], []
    type_names = _type_names()
    for number, cells in numbered:
        row, problem = _parse_row(number, cells, type_names)
        if problem:
            problems.append(f"{path.name} row {number}: {problem}; the row was skipped.")
        else:
            rows.append(row)
    return rows, problems


def read_sheet(raw: bytes, name: str) -> tuple[list[str], list[tuple[int, dict]], str]:
    """A spreadsheet saved as CSV: its header (folded), its non-blank rows as (row number,
    {column: cell}), and a sentence when it cannot be read at all."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return (
            [],
            [],
            (
                f"{name} is not UTF-8 text: save it from your spreadsheet as "
                "'CSV UTF-8' (Excel) or with the character set 'Unicode (UTF-8)' (LibreOffice)."
            ),
        )
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=_separator(text)))
    if not records:
        return [], [], ""
    header = [normalize(cell).strip() for cell in records[0]]
    rows = []
    for number, record in enumerate(records[1:], start=2):
        cells = {
            column: _unquote(record[i].strip())
            for i, column in enumerate(header)
            if i < len(record) and column
        }
        if any(cells.values()):
            rows.append((number, cells))
    return header, rows, ""


def _separator(text: str) -> str:
    """',' normally; ';' when the header uses it (spreadsheets in comma-decimal locales)."""
    first_line = text.split("\n", 1)[0]
    return ";" if first_line.count(";") > first_line.count(",") else ","


def _unquote(cell: str) -> str:
    if cell.startswith("'") and cell[1:2] in _FORMULA_START:
        return cell[1:]
    return cell


def _parse_row(
    number: int, cells: dict[str, str], type_names: dict[str, str]
) -> tuple[CatalogRow | None, str]:
    document_id = cells.get("id", "")
    paths = tuple(_clean_path(p) for p in cells.get("path", "").split(PATH_SEPARATOR.strip()))
    paths = tuple(p for p in paths if p)
    if not document_id and not paths:
        return None, "it has neither an id nor a path; fill in one of them"
    values, problem = parse_values(cells, type_names)
    if problem:
        return None, problem
    withdrawn = normalize(cells.get(WITHDRAWN, "")).strip().lower()
    if withdrawn not in WITHDRAWN_YES + WITHDRAWN_NO:
        return None, (
            f"the withdrawn cell says '{withdrawn}'; write yes to keep the document off the "
            "public site, or leave it empty to show it"
        )
    if withdrawn in WITHDRAWN_YES:
        values[WITHDRAWN] = True
    return CatalogRow(number, document_id, paths, values), ""


def parse_values(cells: dict[str, str], type_names: dict[str, str] | None = None) -> tuple:
    """The catalogue values of non-empty cells (a spreadsheet row or a web form, keyed by
    column name): ``(values, "")``, or ``({}, sentence)`` naming the first bad cell."""
    type_names = type_names or _type_names()
    values: dict = {}
    for name in CATALOGUED:
        cell = cells.get(name, "").strip()
        if not cell:
            continue
        if name == "type":
            key = type_names.get(normalize(cell).replace("_", "-"))
            if key is None:
                known = ", ".join(TYPE_KEYS)
                return {}, Sentence(
                    "unknown_type",
                    "unknown type '{cell}'; use one of {known}",
                    cell=cell,
                    known=known,
                )
            values[name] = key
        elif name == "date":
            date = parse_date(cell)
            if date is None:
                return {}, Sentence(
                    "not_a_date",
                    "'{cell}' is not a date; write it as 2004-07-15, 2004-07 or 2004, or leave "
                    "the cell empty to keep the detected one",
                    cell=cell,
                )
            values[name] = date
        elif name == "year":
            year = _parse_year(cell)
            if year is None:
                return {}, Sentence(
                    "not_a_year",
                    "'{cell}' is not a possible year; write a year such as 2005, or leave the "
                    "cell empty to keep the detected one",
                    cell=cell,
                )
            values[name] = year
        elif name == "places":
            codes, problem = parse_places(cell)
            if problem:
                return {}, problem
            values[name] = codes
        elif name == "work":
            ids = [] if cell == NONE else re.split(r"[\s,;|]+", cell)
            values[name] = sorted(doc_id for doc_id in ids if doc_id)
        elif name == "languages":
            codes = [language_code(word) for word in re.split(r"[\s,;/+]+", cell.lower()) if word]
            if None in codes or not codes:
                return {}, Sentence(
                    "unknown_language",
                    "unknown language in '{cell}'; write km, en, or km en",
                    cell=cell,
                )
            values[name] = list(dict.fromkeys(codes))
        else:
            values[name] = " ".join(cell.split())
    if "date" in values and values.get("year", int(values["date"][:4])) != int(values["date"][:4]):
        return {}, Sentence(
            "date_not_of_year",
            "the date {date} is not of the year {year}; correct one of them, or empty the year "
            "cell (a date gives its year)",
            date=values["date"],
            year=values["year"],
        )
    return values, ""


_DATE = re.compile(r"(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?(?:[ T]0?0:00(?::00)?)?")


def parse_date(cell: str) -> str | None:
    """A date as ISO text (2004-07-15, 2004-07 or 2004), as typed or as a spreadsheet saves
    it (2004/7/15, Khmer digits, a midnight time after it); None when it is no possible date."""
    match = _DATE.fullmatch(normalize(cell).strip())
    if not match:
        return None
    year, month, day = (int(part) if part else None for part in match.groups())
    if not plausible_year(year) or month is not None and not 1 <= month <= 12:
        return None
    if day is not None:
        try:
            return datetime.date(year, month, day).isoformat()
        except ValueError:
            return None
    return f"{year}-{month:02d}" if month else str(year)


def parse_places(cell: str) -> tuple[list[str], str]:
    """The gazetteer codes of a places cell (with their parents), or a problem: places
    separated by ";" or "|", each a code or "Province / District / Commune" names in Khmer or
    English (a district or commune alone when its name is the only one); "-" for none."""
    if cell.strip() == NONE:
        return [], ""
    places = gazetteer()
    codes: set[str] = set()
    for item in filter(str.strip, re.split(r"[;|]", cell)):
        within = ""
        for part in filter(None, (p.strip() for p in item.split("/"))):
            found = places.resolve(part, within)
            if len(found) != 1:
                key = "unknown_place" if not found else "several_places"
                why = "is not a place of the gazetteer" if not found else "names several places"
                return [], Sentence(
                    key,
                    "'{part}' " + why + ": write a province, or Province / District / Commune, "
                    "in Khmer or English (e.g. Kandal / Kien Svay), or a gazetteer code",
                    part=part,
                )
            within = found.pop()
        codes |= {within, *places.places[within].parents}
    return sorted(codes), ""


def places_cell(codes: list[str]) -> str:
    """A places cell: each most precise place as "Province / District / Commune"."""
    places = gazetteer()
    known = [code for code in codes if code in places.places]
    deepest = [c for c in known if not any(o != c and o.startswith(c) for o in known)]
    return PLACE_SEPARATOR.join(places.path(code) for code in sorted(deepest))


def _parse_year(cell: str) -> int | None:
    """A year as typed or as a spreadsheet saves a number ("2005", "2005.0", "២០០៥")."""
    match = re.fullmatch(r"(\d{4})(?:\.0*)?", normalize(cell))
    if not match:
        return None
    year = int(match.group(1))
    return year if plausible_year(year) else None


def _clean_path(path: str) -> str:
    """Library-relative path as the index records it: POSIX separators, no leading './'."""
    path = path.strip().replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    return path


def resolve(
    rows: list[CatalogRow], path_to_id: dict[str, str], other_ids=()
) -> tuple[dict[str, dict], list[str]]:
    """Overrides keyed by document id, and a problem per row naming no document in the library.

    A row is matched by its id, else by any of its paths (the id survives moves; a path is what
    a librarian types for a new row); ``other_ids`` are documents without a path (records of
    printed copies). A second row for the same document is skipped.
    """
    known_ids = set(path_to_id.values()) | set(other_ids)
    overrides: dict[str, dict] = {}
    first_row: dict[str, int] = {}
    problems = []
    for row in rows:
        document_id = row.id if row.id in known_ids else None
        if document_id is None:
            document_id = next((path_to_id[p] for p in row.paths if p in path_to_id), None)
        if document_id is None:
            named = " or ".join(f"'{name}'" for name in (row.id, *row.paths) if name)
            problems.append(
                f"{CATALOG_FILE} row {row.row}: no document in the library has the id or path "
                f"{named}; correct it, or delete the row if the file is gone. The row was skipped."
            )
            continue
        if document_id in first_row:
            problems.append(
                f"{CATALOG_FILE} row {row.row}: document {document_id} already has row "
                f"{first_row[document_id]}; keep one of the two. Row {row.row} was skipped."
            )
            continue
        first_row[document_id] = row.row
        overrides[document_id] = dict(row.values)
    return overrides, problems


def apply(detected: dict, override: dict) -> tuple[dict, list[str]]:
    """Effective metadata of one document, and the fields whose value the catalogue changed.

    A catalogue saved from an export holds every value it showed; a cell equal to the detected
    value is kept but not reported as an override, so the "overridden" column stays truthful.
    """
    effective = {**detected, **override}
    date_of_year = False  # the date is the librarian's year (and says so in "overridden")
    if "date" in override:  # a date gives its year
        effective["year"] = int(override["date"][:4])
    elif (
        "year" in override
        and override["year"] != detected.get("year")  # an exported year put back is no change
        and not effective.get("date", "").startswith(str(override["year"]))
    ):
        effective["date"] = str(override["year"])  # the detected date was of another year
        date_of_year = True
    changed = [
        name
        for name in CATALOGUED
        if (name in override and override[name] != detected.get(name))
        or (name == "date" and date_of_year)
    ]
    confidence = dict(effective.get("confidence") or {})
    for name in override:
        confidence.pop(name, None)  # a catalogued value is the librarian's, not a detection
    if "date" in override or "year" in override:
        confidence.pop("date", None)
        confidence.pop("year", None)
    if "confidence" in detected or confidence:
        effective["confidence"] = confidence
    return effective, changed


def merge_sheet(current: dict, base: dict, sheet: dict) -> dict:
    """A document's overrides after its catalog.csv row is applied: only the cells the
    spreadsheet changed since it was last applied (``base``, its cells then; ``sheet``, now)
    are taken; a cell emptied gives the field back to detection. Corrections made in the
    browser since stay: the spreadsheet and the browser are two ways into the same values."""
    merged = dict(current)
    for name in CATALOGUED:
        if sheet.get(name) == base.get(name):
            continue
        if name in sheet:
            merged[name] = sheet[name]
        else:
            merged.pop(name, None)
    return merged


def write_catalog(path: Path, documents: list[dict], doubtful_below: float = 0.0) -> None:
    """Write the catalogue of ``documents`` (`catalog_text`) atomically, as UTF-8 with a BOM."""
    _write_atomically(path, catalog_text(documents, doubtful_below))


def catalog_text(documents: list[dict], doubtful_below: float = 0.0) -> str:
    """The catalogue of ``documents`` as CSV text with CRLF lines.

    Each document dict has "id", "paths" (or "path"), the effective editable fields,
    "withdrawn", "overridden" (the fields whose value came from the catalogue) and
    "confidence" (detected field -> 0..1). The "doubtful" column names the fields less sure
    than ``doubtful_below``.
    """
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for document in documents:
        paths = document.get("paths") or [document.get("path", "")]
        languages = document.get("languages") or []
        year = document.get("year")
        confidence = document.get("confidence") or {}
        doubtful = [name for name, value in confidence.items() if value < doubtful_below]
        writer.writerow(
            quote_formula(cell)
            for cell in (
                document["id"],
                PATH_SEPARATOR.join(paths),
                document.get("title", ""),
                document.get("type", ""),
                document.get("date", ""),
                "" if year is None else str(year),
                document.get("number", ""),
                " ".join(languages),
                document.get("issuer", ""),
                places_cell(document.get("places") or []),
                " ".join(document.get("work") or []),
                *(document.get(name, "") for name in LIBRARIAN_ONLY),
                "yes" if document.get(WITHDRAWN) else "",
                " ".join(name for name in CATALOGUED if name in document.get("overridden", ())),
                " ".join(f"{name} {value:.2f}" for name, value in sorted(confidence.items())),
                " ".join(name for name in EDITABLE if name in doubtful),
            )
        )
    return buffer.getvalue()


def quote_formula(cell: str) -> str:
    """A leading quote keeps a spreadsheet from running a cell that starts like a formula."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def _write_atomically(path: Path, text: str) -> None:
    """Write to a temporary file beside ``path``, then rename it over ``path``: a reader never
    sees half a file, and a crash leaves the old catalogue in place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8-sig", newline="") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, 0o644)  # mkstemp makes it private; a catalogue is for sharing
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
