"""Documents whose text is their content: Word (.docx), OpenDocument (.odt), web pages (.html,
.htm), Markdown (.md) and plain text (.txt) files, read into pages.

These formats have no pages of their own, so the file is cut into "pages" the way a reader
would meet them: where the file records the pages its word processor laid out (Word's
rendered and explicit page breaks, LibreOffice's soft page breaks), at those; elsewhere about
PAGE_CHARS characters a page (a printed page of English; a little more than one of Khmer),
ending at a paragraph, and a section heading starts a new page once the page is half full.
A hit then points at a page of readable length whose number means something, not at the
whole file nor at every heading of a law with a hundred articles.

Word and OpenDocument paragraphs typed in legacy Khmer fonts (Limon, ABC) are converted to
Unicode run by run, through the converter PDFs use (`indexer.extract.legacy`); text in a font
that types like one but has no table is kept as typed and reported.
"""

from __future__ import annotations

import codecs
import re
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from indexer.extract import legacy, quality
from indexer.extract.legacy.fonts import Encoding, classify
from indexer.extract.legacy.runs import Run
from indexer.extract.officefonts import DocxFonts, OdtFonts
from indexer.text import khmer
from indexer.text.snippets import is_cluster_boundary

SUFFIXES = (".docx", ".odt", ".html", ".htm", ".md", ".txt")
#: About a printed page of text; see the module docstring.
PAGE_CHARS = 3000
#: A page the file records is cut only past this (a file that records some breaks only).
RECORDED_PAGE_MAX = 3 * PAGE_CHARS
#: Larger files are refused, not read into memory: a text file, or the unpacked parts of a
#: .docx/.odt (a zip: a small "zip bomb" unpacks to gigabytes).
MAX_TEXT_BYTES = 64 * 2**20
MAX_UNPACKED_BYTES = 256 * 2**20

_KINDS = {
    ".docx": "Word document (.docx)",
    ".odt": "OpenDocument text (.odt)",
    ".html": "web page",
    ".htm": "web page",
    ".md": "Markdown file",
    ".txt": "text file",
}
#: What a web page shows but is not its text.
_HIDDEN_TAGS = ("script", "style", "noscript", "template", "head", "svg", "math", "iframe")
_HIDDEN_TAGS += ("object", "embed", "canvas")
_HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_BLOCK_TAGS = (
    *_HEADING_TAGS,
    *("p", "div", "li", "dt", "dd", "tr", "td", "th", "pre", "blockquote", "section"),
    *("article", "header", "footer", "aside", "nav", "main", "table", "ul", "ol", "dl"),
    *("figure", "figcaption", "caption", "address", "hr", "title"),
)
_HEADING_MARK = "\x1e"  # stands before a heading's text while a web page is flattened
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)
_FRONT_TITLE = re.compile(r"^title:\s*(.+?)\s*$", re.M)
_SENTENCE_END = re.compile(r"[។៕.!?]\s")
#: Latin letters a font must hold before its text is judged as legacy-encoded Khmer or not.
SUSPECT_MIN_LETTERS = 40
#: Characters of a font's text judged (a sample does: the measure is a share).
SUSPECT_SAMPLE = 20_000
#: What becomes of text in a legacy font that has no table (a Word file has nothing to OCR).
UNKNOWN_FONT = (
    "its text was indexed as typed (Latin letters standing for Khmer), which a Khmer search "
    "does not find: save the file with its text converted to Unicode Khmer and index it again, "
    "or add a table for the font to indexer/data/legacy_fonts"
)


class UnreadableDocument(Exception):
    """The file cannot be read as the document its name says; the message says why."""


@dataclass(frozen=True)
class Block:
    """A paragraph, heading or table cell: its text, and whether it starts a recorded page;
    a Word or OpenDocument paragraph keeps its runs, and its conversion when legacy fonts
    typed it."""

    text: str
    heading: bool = False
    page_break: bool = False
    runs: tuple[Run, ...] = ()
    conversion: legacy.PageConversion | None = None


@dataclass(frozen=True)
class TextPage:
    """A page of a text document and the blocks it was made of."""

    text: str
    blocks: tuple[Block, ...]

    @property
    def converted(self) -> bool:
        """Whether legacy-font text on the page was converted to Unicode."""
        return any(block.conversion and block.conversion.legacy_chars for block in self.blocks)


@dataclass(frozen=True)
class TextDocument:
    """A text document's pages and what a librarian should know about its reading."""

    pages: list[TextPage]
    notes: list[str]


def is_text_document(path: Path | str) -> bool:
    return str(path).lower().endswith(SUFFIXES)


def read_pages(path: Path) -> list[str]:
    """The text of each page of a text document (see the module docstring)."""
    return [page.text for page in read_document(path).pages]


def read_document(path: Path) -> TextDocument:
    """A text document's pages, with notes on its legacy fonts."""
    if not path.exists():
        raise FileNotFoundError(path)
    suffix = path.suffix.lower()
    kind = _KINDS[suffix]
    try:
        if suffix == ".docx":
            blocks = list(_docx_blocks(path))
        elif suffix == ".odt":
            blocks = list(_odt_blocks(path))
        else:
            text = _decoded(_small_file(path, kind), kind)
            blocks = {".md": _markdown_blocks, ".txt": _text_blocks}.get(suffix, _html_blocks)(text)
    except (UnreadableDocument, OSError):
        raise
    except Exception as err:  # each library fails in its own way on a damaged file
        raise UnreadableDocument(
            f"not a readable {kind} (damaged, password-protected, or another kind of file "
            f"with this name: {type(err).__name__})"
        ) from None
    pages = paged(blocks)
    if not pages:
        raise UnreadableDocument(f"the {kind} holds no text")
    return TextDocument(pages, font_notes(pages))


# --- pages ----------------------------------------------------------------------------------


def paginate(blocks: list[Block]) -> list[str]:
    """The text of each page the blocks make (see `paged`)."""
    return [page.text for page in paged(blocks)]


def paged(blocks: list[Block]) -> list[TextPage]:
    """Group blocks into pages: at the breaks the file records if it records any, else by
    length, a heading starting a new page once the current one is half full."""
    recorded = any(block.page_break for block in blocks[1:])
    limit = RECORDED_PAGE_MAX if recorded else PAGE_CHARS
    pages: list[TextPage] = []
    current: list[tuple[str, Block]] = []
    size = 0

    def close_page() -> None:
        nonlocal current, size
        text = "\n".join(piece for piece, _ in current)
        if text.strip():
            blocks_on_page = {id(block): block for _, block in current}
            pages.append(TextPage(text, tuple(blocks_on_page.values())))
        current, size = [], 0

    for block in blocks:
        text = block.text.strip()
        new_page = block.page_break if recorded else block.heading and size >= PAGE_CHARS // 2
        if current and (new_page or size + len(text) > limit):
            close_page()
        for piece in _pieces(text, limit):
            if current and size + len(piece) > limit:
                close_page()
            current.append((piece, block))
            size += len(piece) + 1
    if current:
        close_page()
    return pages


def _pieces(text: str, limit: int) -> Iterator[str]:
    """A paragraph longer than a page, cut at sentence ends, else spaces, else between
    Khmer clusters (Khmer runs for lines without a space)."""
    while len(text) > limit:
        window = text[:limit]
        ends = [m.end() for m in _SENTENCE_END.finditer(window) if m.end() > limit // 2]
        cut = ends[-1] if ends else window.rfind(" ")
        if cut <= limit // 2:
            cut = limit
            while cut > 1 and not is_cluster_boundary(text, cut):
                cut -= 1
        yield text[:cut].strip()
        text = text[cut:].strip()
    if text:
        yield text


# --- the formats ----------------------------------------------------------------------------


def _docx_blocks(path: Path) -> Iterator[Block]:
    """Paragraphs and table cells of the body, in order; headers and footers are left out
    (they repeat on every page). A page starts where Word rendered or was told to break."""
    import docx
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    _check_zip(path, _KINDS[".docx"])
    document = docx.Document(str(path))
    fonts = DocxFonts(document)

    def paragraph_block(element) -> Block:
        paragraph = Paragraph(element, document)
        style = paragraph.style.name if paragraph.style is not None else ""
        broken = bool(
            element.xpath(
                './/w:br[@w:type="page"] | .//w:lastRenderedPageBreak | ./w:pPr/w:pageBreakBefore'
            )
        )
        heading = style.startswith(("Heading", "Title"))
        return typed_block(fonts.runs(element), heading=heading, page_break=broken)

    for element in document.element.body.iterchildren():
        if element.tag == qn("w:p"):
            yield paragraph_block(element)
        elif element.tag == qn("w:tbl"):
            seen = set()
            for row in Table(element, document).rows:
                for cell in row.cells:
                    if id(cell._tc) not in seen:  # a merged cell is listed once per column
                        seen.add(id(cell._tc))
                        yield from (paragraph_block(p._p) for p in cell.paragraphs)


def _odt_blocks(path: Path) -> Iterator[Block]:
    """Headings and paragraphs of the text body, lists, sections and tables included, in
    order; a page starts at LibreOffice's soft page breaks."""
    from odf import opendocument

    _check_zip(path, _KINDS[".odt"])
    document = opendocument.load(str(path))
    fonts = OdtFonts(document)
    pending = [False]

    def walk(element) -> Iterator[Block]:
        for child in element.childNodes:
            name = getattr(child, "qname", (None, None))[1]
            if name in ("h", "p"):
                inner = any(
                    getattr(node, "qname", (None, None))[1] == "soft-page-break"
                    for node in child.childNodes
                )
                broken = pending[0] or inner
                yield typed_block(fonts.runs(child), heading=name == "h", page_break=broken)
                pending[0] = False
            elif name == "soft-page-break":
                pending[0] = True
            elif name not in (None, "sequence-decls", "tracked-changes", "note-citation"):
                yield from walk(child)

    yield from walk(document.text)


def typed_block(runs: list[Run], heading: bool = False, page_break: bool = False) -> Block:
    """A paragraph from its runs of one font each: runs in legacy Khmer fonts converted to
    Unicode as a PDF's are, the others as typed (a paragraph may mix both)."""
    runs = tuple(runs)
    if any(classify(run.font).encoding is not Encoding.UNICODE for run in runs):
        conversion = legacy.convert_runs(list(runs), keep_unknown=True)
        return Block(conversion.text, heading, page_break, runs, conversion)
    return Block("".join(run.text for run in runs), heading, page_break, runs)


def _html_blocks(text: str) -> list[Block]:
    """The visible text of a web page, block by block: scripts, styles, the head and other
    things a browser does not show as text are dropped (comments too)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(text, "html.parser")
    for tag in soup.find_all(_HIDDEN_TAGS):
        tag.decompose()
    for tag in soup.find_all("br"):
        tag.replace_with("\n")
    for tag in soup.find_all(_BLOCK_TAGS):
        tag.insert_before("\n" + (_HEADING_MARK if tag.name in _HEADING_TAGS else ""))
        tag.insert_after("\n")
    blocks = []
    for line in soup.get_text().split("\n"):
        heading = _HEADING_MARK in line
        words = " ".join(line.replace(_HEADING_MARK, " ").split())
        if words:
            blocks.append(Block(words, heading=heading))
    return blocks


def _markdown_blocks(text: str) -> list[Block]:
    """Markdown rendered by a CommonMark parser and read as a web page; a Jekyll-style front
    matter is left out, its title kept as the first heading."""
    from markdown_it import MarkdownIt

    title = []
    front = _FRONT_MATTER.match(text)
    if front:
        found = _FRONT_TITLE.search(front.group(1))
        title = [Block(found.group(1).strip("\"'"), heading=True)] if found else []
        text = text[front.end() :]
    page = MarkdownIt("commonmark").enable("table").render(text)
    return title + _html_blocks(page)


def _text_blocks(text: str) -> list[Block]:
    return [Block(line) for line in text.splitlines() if line.strip()]


# --- fonts ----------------------------------------------------------------------------------


def font_notes(pages: list[TextPage]) -> list[str]:
    """Sentences on a document's legacy fonts: characters a table lacks, legacy fonts without
    a table, and fonts no table names whose text reads like legacy-encoded Khmer."""
    conversions = {}
    for number, page in enumerate(pages, 1):
        found = [block.conversion for block in page.blocks if block.conversion]
        if found:
            missing = sum((conversion.missing for conversion in found), Counter())
            unknown = {font for conversion in found for font in conversion.unknown_fonts}
            conversions[number] = legacy.PageConversion(
                "", 0, missing=missing, unknown_fonts=tuple(sorted(unknown))
            )
    sentences = legacy.notes(conversions, unknown_font=UNKNOWN_FONT)
    for font, numbers in sorted(_suspect_fonts(pages).items()):
        sentences.append(
            f"{legacy.pages_named(numbers)} {legacy.verb_for(numbers, 'hold')} text in the "
            f"font {font}, which no conversion table knows but which reads like a legacy Khmer "
            f"font (Latin letters that make no words in a Khmer document): {UNKNOWN_FONT}"
        )
    return sentences


def _suspect_fonts(pages: list[TextPage]) -> dict[str, set[int]]:
    """Fonts taken as Unicode whose text reads like legacy-encoded Khmer, and their pages:
    in a document that holds Khmer (or in a font named Khmer), Latin letters that mostly make
    no plain words (the quality gate's measure)."""
    typed: dict[str, list[str]] = defaultdict(list)
    where: dict[str, set[int]] = defaultdict(set)
    has_khmer = False
    for number, page in enumerate(pages, 1):
        has_khmer = has_khmer or bool(khmer.letter_counts(page.text)[0])
        for block in page.blocks:
            for run in block.runs:
                if run.text.strip() and classify(run.font).encoding is Encoding.UNICODE:
                    typed[run.font].append(run.text)
                    where[run.font].add(number)
    suspects = {}
    for font, texts in typed.items():
        if not (has_khmer or "khmer" in font.lower()):
            continue
        verdict = quality.assess(" ".join(texts)[:SUSPECT_SAMPLE])
        latin = verdict.letters * (1 - verdict.khmer_share)
        plain = verdict.plain_words
        if latin >= SUSPECT_MIN_LETTERS and plain is not None and plain < quality.PLAIN_WORDS_MIN:
            suspects[font or "(no font named)"] = where[font]
    return suspects


# --- bytes ----------------------------------------------------------------------------------


def _small_file(path: Path, kind: str) -> bytes:
    size = path.stat().st_size
    if size > MAX_TEXT_BYTES:
        raise UnreadableDocument(
            f"the {kind} is too large to index ({size // 2**20} MB; at most "
            f"{MAX_TEXT_BYTES // 2**20} MB): split it into smaller files"
        )
    return path.read_bytes()


def _decoded(raw: bytes, kind: str) -> str:
    """Text from bytes: a byte-order mark says the encoding, else UTF-8, else what the bytes
    (and a web page's own declaration) suggest; binary content is refused."""
    for mark, codec in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if raw.startswith(mark):
            return raw.decode(codec, errors="replace")
    if b"\x00" in raw[:8192]:
        raise UnreadableDocument(
            f"not a {kind}: it holds binary data (another kind of file with this name)"
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        from bs4 import UnicodeDammit

        guess = UnicodeDammit(raw, is_html=kind == "web page")
        if guess.unicode_markup is None:
            raise UnreadableDocument(
                f"the {kind}'s characters cannot be read: save it as UTF-8 text"
            ) from None
        return guess.unicode_markup


def _check_zip(path: Path, kind: str) -> None:
    """A .docx or .odt is a zip: refuse one that is not, or that unpacks to too much."""
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise UnreadableDocument(
            f"not a readable {kind} (damaged, password-protected, or another kind of file "
            "with this name)"
        ) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise UnreadableDocument(
            f"the {kind} unpacks to {unpacked // 2**20} MB, more than a document holds: "
            "check the file"
        )
