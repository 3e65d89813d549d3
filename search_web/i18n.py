"""The interface in English and Khmer: every label, the instrument type and language names,
and numbers in the chosen language's digits. A dict per language: small enough to read whole."""

from __future__ import annotations

from indexer.text.khmer import is_khmer
from indexer.vocabulary import TYPES

UI_LANGUAGES = ("en", "km")
DEFAULT_UI = "en"

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "site": "D&D document search",
        "tagline": "Laws, decrees and reports of Cambodia's decentralisation reform",
        "skip": "Skip to content",
        "query_label": "Search the documents",
        "search": "Search",
        "help": "Query help",
        "other_language": "ភាសាខ្មែរ",
        "results_count": "{total} documents match; showing {first}–{last}.",
        "one_result": "1 document matches.",
        "no_results": "No documents match this search.",
        "empty_index": "The index has no documents yet.",
        "indexing_under_way": "Indexing is under way.",
        "indexing_under_way_tip": (
            "The first indexing run of this library has not committed any documents yet, or it "
            "was interrupted and resumes with the next ddsearch index. Documents appear here as "
            "soon as they are committed."
        ),
        "empty_index_tip": "Put PDFs in the library folder and run: ddsearch index FOLDER",
        "no_results_tips": "Check the spelling, use fewer or other words, or remove a filter:",
        "no_results_help": "See the query help for phrases, OR and prefixes.",
        "all_documents": "All documents",
        "note": "Note",
        "filters": "Narrow the search",
        "active_filters": "Active filters",
        "remove": "remove",
        "remove_filter": "Remove filter",
        "type": "Type",
        "year": "Year",
        "date": "Date",
        "language": "Language",
        "number": "Number",
        "issuer": "Issuer",
        "legal_basis": "Legal basis",
        "cited_by": "Cited by",
        "amends": "Amends",
        "amended_by": "Amended by",
        "cited_by_search": "Search the documents that cite this",
        "number_cited_in": "not read on it; as cited in",
        "from": "From",
        "to": "To",
        "apply": "Apply",
        "sort": "Sort",
        "relevance": "Relevance",
        "newest": "Newest first",
        "oldest": "Oldest first",
        "added": "Recently added",
        "pages": "Pages",
        "page": "page",
        "page_n": "p. {n}",
        "untitled": "(untitled)",
        "previous": "Previous",
        "next": "Next",
        "pagination": "Result pages",
        "download_csv": "Download results (CSV)",
        "feed": "Subscribe to new documents (Atom)",
        "json": "JSON",
        "document": "Document",
        "matching_pages": "Pages matching “{q}”",
        "no_matching_pages": "No page text matches “{q}” (the title or details may).",
        "full_text": "Text of each page",
        "open_pdf": "Open the PDF",
        "open_pdf_at": "Open the PDF at page {n}",
        "download": "Download the PDF",
        "method_text": "from the text layer",
        "method_converted": "converted from a legacy font",
        "method_ocr": "read by OCR",
        "method_empty": "no text found",
        "back": "Back to the results",
        "not_found": "Not found",
        "not_found_text": "There is no document or page at this address. Search for it instead:",
        "bad_request": "This request cannot be answered",
        "unavailable": "The search index is not available",
        "server_error": "Something went wrong on the server",
        "error_home": "Start a new search",
        "api": "API",
        "close_match": "close match",
        "close_match_title": (
            "The words were not found exactly; this page holds them with a few letters "
            "different (as OCR may misread them)."
        ),
        "did_you_mean": "Did you mean",
        "also_searched": "Also searched",
        "cross": "Also search the other language (glossary)",
        "cut_short": "Cut short",
        "method_skipped": "awaiting OCR",
        "page_of": "Page {n} of {total}",
        "previous_page": "Previous page",
        "next_page": "Next page",
        "go_to_page": "Go to page",
        "go": "Go",
        "back_to_document": "Back to the document",
        "page_image": "Image of page {n}",
        "hits_on_page": "{count} matches of “{q}” are boxed on the image.",
        "no_hits_on_page": "No word of “{q}” could be boxed on this page.",
        "no_boxes": (
            "This page keeps no word positions (it was read by an older version), so matches "
            "are not boxed on it."
        ),
        "page_text": "Text of this page",
        "ocr_confidence": "mean OCR confidence {c}%",
        "searchable_pdf": "Searchable PDF (the scan with its OCR text: search and copy work)",
        "view_page": "See page {n}",
        "thumbnail": "Page {n} with the matches boxed",
        "download_file": "Download the original file ({ext})",
        "text_document": (
            "A text document (Word, OpenDocument, web page or text file): its pages are cut "
            "from its text, about a printed page each."
        ),
        "marks_on_page": "{count} matches of “{q}” are marked in the text.",
        "method_file": "from the file's text",
        "place": "Place",
        "places": "Places",
        "version_en": "English version",
        "version_km": "Khmer version",
        "similar": "More like this",
        "districts_of": "In {p}",
    },
    "km": {
        "site": "ការស្វែងរកឯកសារវិមជ្ឈការ និងវិសហមជ្ឈការ",
        "tagline": "ច្បាប់ ព្រះរាជក្រឹត្យ អនុក្រឹត្យ និងរបាយការណ៍ នៃកំណែទម្រង់វិមជ្ឈការនៅកម្ពុជា",
        "skip": "រំលងទៅខ្លឹមសារ",
        "query_label": "ស្វែងរកក្នុងឯកសារ",
        "search": "ស្វែងរក",
        "help": "ជំនួយអំពីការស្វែងរក",
        "other_language": "English",
        "results_count": "មានឯកសារ {total} ត្រូវគ្នា · បង្ហាញ {first}–{last}។",
        "one_result": "មានឯកសារ ១ ត្រូវគ្នា។",
        "no_results": "គ្មានឯកសារណាត្រូវនឹងការស្វែងរកនេះទេ។",
        "empty_index": "លិបិក្រមមិនទាន់មានឯកសារនៅឡើយទេ។",
        "indexing_under_way": "កំពុងធ្វើលិបិក្រម។",
        "indexing_under_way_tip": (
            "ការធ្វើលិបិក្រមលើកដំបូងនៃបណ្ណាល័យនេះ មិនទាន់បញ្ចូលឯកសារណាមួយនៅឡើយ "
            "ឬត្រូវបានរំខាន ហើយនឹងបន្តនៅពេលដំណើរការ ddsearch index លើកក្រោយ។ "
            "ឯកសារនឹងបង្ហាញនៅទីនេះភ្លាមៗនៅពេលវាត្រូវបានបញ្ចូល។"
        ),
        "empty_index_tip": "សូមដាក់ឯកសារ PDF ក្នុងថតបណ្ណាល័យ ហើយដំណើរការ៖ ddsearch index FOLDER",
        "no_results_tips": "សូមពិនិត្យអក្ខរាវិរុទ្ធ ប្រើពាក្យតិចជាងនេះ ឬពាក្យផ្សេង ឬដកតម្រងចេញ៖",
        "no_results_help": "សូមមើលជំនួយ សម្រាប់ឃ្លា OR និងបុព្វបទ។",
        "all_documents": "ឯកសារទាំងអស់",
        "note": "សម្គាល់",
        "filters": "បង្រួមការស្វែងរក",
        "active_filters": "តម្រងដែលកំពុងប្រើ",
        "remove": "ដកចេញ",
        "remove_filter": "ដកតម្រងចេញ",
        "type": "ប្រភេទ",
        "year": "ឆ្នាំ",
        "date": "កាលបរិច្ឆេទ",
        "language": "ភាសា",
        "number": "លេខ",
        "issuer": "អ្នកចេញ",
        "legal_basis": "មូលដ្ឋានគតិយុត្ត",
        "cited_by": "ឯកសារដែលយោងលើឯកសារនេះ",
        "amends": "ធ្វើវិសោធនកម្មលើ",
        "amended_by": "ត្រូវបានធ្វើវិសោធនកម្មដោយ",
        "cited_by_search": "ស្វែងរកឯកសារដែលយោងលើឯកសារនេះ",
        "number_cited_in": "តាមការយោងក្នុង",
        "from": "ពី",
        "to": "ដល់",
        "apply": "អនុវត្ត",
        "sort": "តម្រៀប",
        "relevance": "ពាក់ព័ន្ធបំផុត",
        "newest": "ថ្មីបំផុត",
        "oldest": "ចាស់បំផុត",
        "added": "បានបន្ថែមថ្មីៗ",
        "pages": "ទំព័រ",
        "page": "ទំព័រ",
        "page_n": "ទំព័រ {n}",
        "untitled": "(គ្មានចំណងជើង)",
        "previous": "មុន",
        "next": "បន្ទាប់",
        "pagination": "ទំព័រលទ្ធផល",
        "download_csv": "ទាញយកលទ្ធផល (CSV)",
        "feed": "ជាវឯកសារថ្មីៗ (Atom)",
        "json": "JSON",
        "document": "ឯកសារ",
        "matching_pages": "ទំព័រដែលត្រូវនឹង «{q}»",
        "no_matching_pages": "គ្មានអត្ថបទទំព័រណាត្រូវនឹង «{q}» ទេ (ប្រហែលជាចំណងជើង ឬព័ត៌មានលម្អិត)។",
        "full_text": "អត្ថបទនៃទំព័រនីមួយៗ",
        "open_pdf": "បើក PDF",
        "open_pdf_at": "បើក PDF នៅទំព័រ {n}",
        "download": "ទាញយក PDF",
        "method_text": "ពីស្រទាប់អត្ថបទ",
        "method_converted": "បម្លែងពីពុម្ពអក្សរចាស់",
        "method_ocr": "អានដោយ OCR",
        "method_empty": "រកមិនឃើញអត្ថបទ",
        "back": "ត្រឡប់ទៅលទ្ធផល",
        "not_found": "រកមិនឃើញ",
        "not_found_text": "គ្មានឯកសារ ឬទំព័រនៅអាសយដ្ឋាននេះទេ។ សូមស្វែងរកវាជំនួសវិញ៖",
        "bad_request": "មិនអាចឆ្លើយសំណើនេះបានទេ",
        "unavailable": "សន្ទស្សន៍ស្វែងរកមិនទាន់មាន",
        "server_error": "មានបញ្ហានៅលើម៉ាស៊ីនមេ",
        "error_home": "ចាប់ផ្តើមការស្វែងរកថ្មី",
        "api": "API",
        "close_match": "ស្រដៀង",
        "close_match_title": (
            "រកមិនឃើញពាក្យដូចបេះបិទទេ ទំព័រនេះមានពាក្យទាំងនោះ ដោយអក្សរខុសបន្តិច (ដូចដែល OCR អាចអានខុស)។"
        ),
        "did_you_mean": "តើអ្នកចង់រក",
        "also_searched": "បានស្វែងរកផងដែរ",
        "cross": "ស្វែងរកជាភាសាម្ខាងទៀតផងដែរ (សទ្ទានុក្រម)",
        "cut_short": "បានកាត់ឱ្យខ្លី",
        "method_skipped": "កំពុងរង់ចាំ OCR",
        "page_of": "ទំព័រ {n} នៃ {total}",
        "previous_page": "ទំព័រមុន",
        "next_page": "ទំព័របន្ទាប់",
        "go_to_page": "ទៅកាន់ទំព័រ",
        "go": "ទៅ",
        "back_to_document": "ត្រឡប់ទៅឯកសារ",
        "page_image": "រូបភាពនៃទំព័រ {n}",
        "hits_on_page": "បានគូសប្រអប់ {count} កន្លែងដែលត្រូវនឹង «{q}» នៅលើរូបភាព។",
        "no_hits_on_page": "មិនអាចគូសប្រអប់ពាក្យណាមួយនៃ «{q}» នៅលើទំព័រនេះបានទេ។",
        "no_boxes": (
            "ទំព័រនេះមិនមានទីតាំងពាក្យទេ (វាត្រូវបានអានដោយកំណែចាស់) ដូច្នេះមិនអាចគូសប្រអប់លើពាក្យដែលត្រូវបានទេ។"
        ),
        "page_text": "អត្ថបទនៃទំព័រនេះ",
        "ocr_confidence": "ភាពជឿជាក់ជាមធ្យមនៃ OCR {c}%",
        "searchable_pdf": "PDF ដែលអាចស្វែងរកបាន (ការស្កេនជាមួយអត្ថបទ OCR៖ អាចស្វែងរក និងចម្លងបាន)",
        "view_page": "មើលទំព័រ {n}",
        "thumbnail": "ទំព័រ {n} ដែលមានប្រអប់លើពាក្យដែលត្រូវ",
        "download_file": "ទាញយកឯកសារដើម ({ext})",
        "text_document": (
            "ឯកសារអត្ថបទ (Word, OpenDocument, គេហទំព័រ ឬឯកសារអត្ថបទ)៖ ទំព័ររបស់វាត្រូវបានកាត់ចេញពី"
            "អត្ថបទរបស់វា ប្រហែលមួយទំព័របោះពុម្ពៗ។"
        ),
        "marks_on_page": "ពាក្យ “{q}” ត្រូវគ្នា {count} កន្លែង ហើយត្រូវបានគូសចំណាំក្នុងអត្ថបទ។",
        "method_file": "ពីអត្ថបទនៃឯកសារ",
        "place": "ទីកន្លែង",
        "places": "ទីកន្លែង",
        "version_en": "កំណែភាសាអង់គ្លេស",
        "version_km": "កំណែភាសាខ្មែរ",
        "similar": "ឯកសារស្រដៀងគ្នា",
        "districts_of": "ក្នុង {p}",
    },
}

LANGUAGE_NAMES = {
    "en": {"km": "Khmer", "en": "English"},
    "km": {"km": "ខ្មែរ", "en": "អង់គ្លេស"},
}

TYPE_NAMES = {ui: {t["key"]: t[ui] for t in TYPES} for ui in UI_LANGUAGES}

_KHMER_DIGITS = str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩")


def digits(value: object, ui: str) -> str:
    """A number (or text with numbers) in the interface language's digits."""
    text = str(value)
    return text.translate(_KHMER_DIGITS) if ui == "km" else text


def instrument_number(number: str, ui: str) -> str:
    """An instrument's number as the document writes it: a Khmer one (១២ អនក្រ.បក, as
    detection gives it) in Khmer digits in the Khmer interface (a catalogued one typed with
    Latin digits too); a Latin one (No. 148 ANK/BK) always as written."""
    return digits(number, ui) if any(map(is_khmer, number)) else number


def choose_ui(requested: str | None, remembered: str | None, accept_languages) -> str:
    """The interface language: asked for in the URL, else remembered, else the browser's."""
    for candidate in (requested, remembered):
        if candidate in UI_LANGUAGES:
            return candidate
    return accept_languages.best_match(UI_LANGUAGES) or DEFAULT_UI
