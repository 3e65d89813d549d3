"""The font each stretch of a Word or OpenDocument paragraph is typed in, as the word processor
resolves it: the run's own, else its character style's, else its paragraph style's (each
style through the styles it is based on), else the document's default.

Legacy Khmer fonts (Limon, ABC) type Khmer on Latin code points, so a paragraph's text means
nothing without its fonts: these runs go through the same converter as a PDF's
(`indexer.extract.legacy`).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

from indexer.extract.legacy.runs import Run

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
FO = "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
SVG = "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"
#: Word's font attributes for characters below U+0080 and for the other Latin ones (a legacy
#: font's upper half: ‘ for ដ, ¬ for ក...); a theme attribute names a theme font instead.
_ASCII, _HIGH = ("ascii", "asciiTheme"), ("hAnsi", "hAnsiTheme")
_TRUE = ("1", "true", "on")


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


class DocxFonts:
    """Fonts of a python-docx document's runs."""

    def __init__(self, document) -> None:
        root = document.styles.element
        self._styles = {style.get(_w("styleId")): style for style in root.iter(_w("style"))}
        path = "/".join(map(_w, ("docDefaults", "rPrDefault", "rPr", "rFonts")))
        self._defaults = root.find(path)
        self._default_paragraph = next(
            (
                key
                for key, style in self._styles.items()
                if style.get(_w("type")) == "paragraph" and style.get(_w("default")) in _TRUE
            ),
            None,
        )
        self._resolve = cache(self._resolve_uncached)

    def runs(self, paragraph) -> list[Run]:
        """A ``w:p`` element's runs (hyperlinks' too, as python-docx reads its text), split
        where the font changes between ASCII and other characters."""
        style = paragraph.find(f"{_w('pPr')}/{_w('pStyle')}")
        paragraph_style = style.get(_w("val")) if style is not None else self._default_paragraph
        runs = []
        for run in paragraph.xpath("w:r | w:hyperlink/w:r"):
            text = run.text
            if not text:
                continue
            properties = run.find(_w("rPr"))
            own = properties.find(_w("rFonts")) if properties is not None else None
            char_style = properties.find(_w("rStyle")) if properties is not None else None
            char_style = char_style.get(_w("val")) if char_style is not None else None
            ascii_font, high_font = (
                _font(own, names) or self._resolve(char_style, paragraph_style, names)
                for names in (_ASCII, _HIGH)
            )
            runs += _split(text, ascii_font, high_font)
        return runs

    def _resolve_uncached(self, char_style: str | None, paragraph_style: str | None, names):
        for style in (char_style, paragraph_style):
            for element in self._chain(style):
                fonts = element.find(f"{_w('rPr')}/{_w('rFonts')}")
                if found := _font(fonts, names):
                    return found
        return _font(self._defaults, names)

    def _chain(self, style_id: str | None) -> Iterator:
        """A style and the styles it is based on, nearest first (a loop is cut)."""
        seen = set()
        while style_id and style_id not in seen and style_id in self._styles:
            seen.add(style_id)
            element = self._styles[style_id]
            yield element
            based = element.find(_w("basedOn"))
            style_id = based.get(_w("val")) if based is not None else None


def _font(fonts, names: tuple[str, str]) -> str:
    """The font a ``w:rFonts`` element names for one class of characters ("" if none)."""
    if fonts is None:
        return ""
    plain, theme = names
    if fonts.get(_w(theme)):
        return f"the theme's {fonts.get(_w(theme))}"  # a theme's fonts are the Office ones
    return fonts.get(_w(plain)) or ""


def _split(text: str, ascii_font: str, high_font: str) -> list[Run]:
    """A run's text as runs of one font each: ASCII characters in one, the others in the
    other (usually the same font: one run)."""
    if ascii_font == high_font:
        return [Run(ascii_font, text)]
    runs: list[Run] = []
    for char in text:
        font = ascii_font if ord(char) < 0x80 else high_font
        if runs and runs[-1].font == font:
            runs[-1] = Run(font, runs[-1].text + char)
        else:
            runs.append(Run(font, char))
    return runs


class OdtFonts:
    """Fonts of an odfpy document's paragraphs and spans (the Western font: the one Latin
    code points, hence legacy Khmer, are shown in)."""

    def __init__(self, document) -> None:
        self._faces = {
            face.attributes.get((STYLE, "name")): face.attributes.get((SVG, "font-family"), "")
            for face in _children(document.fontfacedecls, "font-face")
        }
        self._styles: dict[tuple[str, str], object] = {}
        self._defaults: dict[str, object] = {}
        for group in (document.styles, document.automaticstyles):
            for element in group.childNodes:
                family = element.attributes.get((STYLE, "family"))
                if _local(element) == "style":
                    self._styles[(family, element.attributes.get((STYLE, "name")))] = element
                elif _local(element) == "default-style":
                    self._defaults[family] = element
        self._resolve = cache(self._resolve_uncached)

    def runs(self, paragraph) -> list[Run]:
        """A ``text:p`` or ``text:h`` element's text (as odfpy's teletype reads it) in runs
        of one font."""
        runs: list[Run] = []
        self._walk(paragraph, ((_style_name(paragraph), "paragraph"),), runs)
        return runs

    def _walk(self, element, styles: tuple, runs: list[Run]) -> None:
        for child in element.childNodes:
            if child.nodeType == child.TEXT_NODE:
                text = child.data
            else:
                name = _local(child)
                if name in ("span", "a") and _style_name(child):
                    self._walk(child, ((_style_name(child), "text"), *styles), runs)
                    continue
                if name not in ("s", "tab", "line-break"):
                    self._walk(child, styles, runs)
                    continue
                count = int(child.attributes.get((TEXT, "c"), 1) or 1)
                text = {"tab": "\t", "line-break": "\n"}.get(name, " " * count)
            font = self._resolve(styles)
            if runs and runs[-1].font == font:
                runs[-1] = Run(font, runs[-1].text + text)
            elif text:
                runs.append(Run(font, text))

    def _resolve_uncached(self, styles: tuple) -> str:
        for name, family in styles:
            for element in self._chain(family, name):
                if font := self._font(element):
                    return font
        default = self._defaults.get("paragraph")
        return self._font(default) if default is not None else ""

    def _chain(self, family: str, name: str | None) -> Iterator:
        seen = set()
        while name and name not in seen and (family, name) in self._styles:
            seen.add(name)
            element = self._styles[(family, name)]
            yield element
            name = element.attributes.get((STYLE, "parent-style-name"))

    def _font(self, style) -> str:
        for properties in _children(style, "text-properties"):
            if face := properties.attributes.get((STYLE, "font-name")):
                return self._faces.get(face, face).strip("'\"") or face
            if family := properties.attributes.get((FO, "font-family")):
                return family.split(",")[0].strip().strip("'\"")
        return ""


def _children(element, name: str) -> list:
    return [child for child in getattr(element, "childNodes", []) if _local(child) == name]


def _local(node) -> str | None:
    return getattr(node, "qname", (None, None))[1]


def _style_name(element) -> str | None:
    return element.attributes.get((TEXT, "style-name"))
