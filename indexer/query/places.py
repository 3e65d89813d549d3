"""The query layer's places: gazetteer codes described by name in both languages, for results,
facets and document pages (the website reaches the gazetteer through here)."""

from __future__ import annotations

from indexer.library.gazetteer import gazetteer


def describe(codes: list[str]) -> list[dict]:
    """``{"code", "level", "km", "en"}`` of each known code, provinces first (then each
    province's districts and communes, by code)."""
    if not codes:
        return []  # the gazetteer is loaded only when there is a place to name
    places = gazetteer().places
    return [places[code].as_dict() for code in sorted(codes) if code in places]


def name(code: str, language: str) -> str:
    """A place's name in the interface language (the code itself when unknown)."""
    place = gazetteer().get(code)
    return place.name(language) if place else code


def summary(codes: list[str], language: str) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """The places by province, as a reader is shown them: (province code, its name, [(code,
    name) of its districts and communes named])."""
    places = gazetteer().places
    known = sorted(code for code in codes if code in places)
    provinces = {code[:2] for code in known}
    return [
        (
            province,
            name(province, language),
            [(c, name(c, language)) for c in known if c[:2] == province and c != province],
        )
        for province in sorted(provinces)
    ]
