"""The Khmer ⇄ English D&D glossary: its data file, and `expand` on real queries."""

from __future__ import annotations

import pytest

from indexer.text.glossary import entries, expand, khmer_key, latin_key
from indexer.text.khmer import clusters, is_khmer, is_valid_cluster, normalize

SOURCES = {"gt", "voa", "ocr", "types", "en", "knowledge"}


def test_an_english_query_adds_the_khmer_of_each_entry_it_holds():
    added = expand("commune council budget")
    assert ("ក្រុមប្រឹក្សាឃុំ", "km") in added
    assert ("ថវិកា", "km") in added
    assert ("ឃុំ", "km") not in added  # commune council is one entry, not commune + council


def test_a_khmer_query_adds_english():
    added = expand("ក្រុមប្រឹក្សាឃុំ ថវិកា")
    assert ("commune council", "en") in added
    assert ("budget", "en") in added
    assert all(language == "en" for _, language in added)


def test_english_is_matched_whatever_the_case_spelling_or_number():
    for query in ("DECENTRALIZATION", "decentralisation", "Sub-Decrees", "subdecree"):
        assert expand(query), query
    assert ("វិមជ្ឈការ", "km") in expand("Decentralization policy")
    assert ("ក្រសួងមហាផ្ទៃ", "km") in expand("prakas of the ministry of interior")


def test_khmer_is_matched_whatever_the_spacing_or_subscript_da():
    assert ("strategy", "en") in expand("ផែនការយុទ្ធសាស្ដ្រ")  # typed with ្ដ, stored with ្ត
    assert ("commune council", "en") in expand("ក្រុមប្រឹក្សា ឃុំ")


def test_khmer_matches_only_at_cluster_edges():
    assert ("code", "en") in expand("ក្រម")
    assert ("code", "en") not in expand("ក្រុម")  # ក្រុ ម, not ក្រ ម


def test_the_longest_entry_wins_and_nothing_the_query_holds_is_added():
    added = expand("ការបោះឆ្នោតជ្រើសរើសក្រុមប្រឹក្សាឃុំ សង្កាត់")
    assert ("commune election", "en") in added
    assert ("election", "en") not in added
    assert expand("") == [] and expand("hello world") == []
    both = expand("commune council ក្រុមប្រឹក្សាឃុំ")
    assert ("ក្រុមប្រឹក្សាឃុំ", "km") not in both and ("commune council", "en") not in both


def test_the_file_has_a_few_hundred_entries_and_the_core_terms():
    table = entries()
    assert len(table) >= 300
    pairs = {(en.lower(), km) for entry in table for en in entry.en for km in entry.km}
    for en, km in [
        ("commune council", "ក្រុមប្រឹក្សាឃុំ"),
        ("decentralisation", "វិមជ្ឈការ"),
        ("deconcentration", "វិសហមជ្ឈការ"),
        ("district", "ស្រុក"),
        ("khan", "ខណ្ឌ"),
        ("province", "ខេត្ត"),
        ("capital", "រាជធានី"),
        ("sub-decree", "អនុក្រឹត្យ"),
        ("prakas", "ប្រកាស"),
        ("royal decree", "ព្រះរាជក្រឹត្យ"),
        ("royal kram", "ព្រះរាជក្រម"),
        ("law", "ច្បាប់"),
        ("ministry of interior", "ក្រសួងមហាផ្ទៃ"),
        ("ncdd", "គ.ជ.អ.ប"),
        ("budget", "ថវិកា"),
        ("commune investment programme", "កម្មវិធីវិនិយោគឃុំសង្កាត់"),
        ("civil registration", "អត្រានុកូលដ្ឋាន"),
        ("election", "ការបោះឆ្នោត"),
    ]:
        assert (en, km) in pairs, en


@pytest.mark.parametrize("entry", entries(), ids=lambda entry: entry.en[0])
def test_every_entry_is_normalised_valid_khmer_with_english(entry):
    assert entry.en and all(latin_key(term) for term in entry.en)
    for term in entry.km:
        assert term == normalize(term)
        khmer = [term[a:b] for a, b in clusters(term) if is_khmer(term[a])]
        assert khmer and all(is_valid_cluster(cluster) for cluster in khmer), term
        assert set(term) <= {chr(c) for c in range(0x1780, 0x17FA)} | {"."}, term


def test_no_term_belongs_to_two_entries():
    for language, key_of in (("en", latin_key), ("km", khmer_key)):
        owner: dict[tuple[str, ...], str] = {}
        for entry in entries():
            for key in {key_of(term) for term in getattr(entry, language)}:
                assert key not in owner, f"{key} is in {owner.get(key)} and {entry.en[0]}"
                owner[key] = entry.en[0]


def test_sources_and_domains_are_from_the_documented_sets():
    from indexer.text.glossary import GLOSSARY

    rows = [line.split("\t") for line in GLOSSARY.read_text(encoding="utf-8").splitlines()]
    rows = [row for row in rows if not row[0].startswith("#")][1:]
    assert all(set(row[3].split(",")) <= SOURCES for row in rows)
    assert {row[2] for row in rows} == {entry.domain for entry in entries()}
