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
        "workspace": "Workspace",
        "edit": "Edit",
        "printed_copy": "Printed copy:",
        "printed_only": "Printed copy only (no file).",
        "on_shelf": "on the shelf at {shelf}",
        "call_number": "Call number",
        "parallel_title": "Title in the other language",
        "publisher": "Publisher",
        "subjects": "Subjects",
        "notes": "Notes",
        "upload_files": "Add files",
        "new_record": "New record (printed copy)",
        "import_records": "Import a list of printed copies",
        "change_log": "Change log",
        "accounts": "Accounts",
        "change_password": "Change password",
        "sign_in": "Sign in",
        "sign_out": "Sign out",
        "wrong_sign_in": "The name or the password is wrong. Check them and try again.",
        "too_many": (
            "Too many failed sign-ins: sign-in is refused for a while. Wait 15 minutes, "
            "then try again, or ask an admin to set a new password."
        ),
        "forbidden": "Not allowed",
        "too_large": "The files are too large",
        "username": "Name",
        "password": "Password",
        "new_password": "New password",
        "current_password": "Current password",
        "password_changed": "Your password was changed; your other sessions have ended.",
        "signed_in_as": "Signed in as {name} ({role}).",
        "role": "Role",
        "role_admin": "admin",
        "role_editor": "editor",
        "recent_runs": "Recent indexing runs",
        "run": "Run",
        "kind_index": "indexing added files",
        "kind_reocr": "reading a document again",
        "no_runs": "No runs yet.",
        "state_queued": "waiting",
        "state_running": "running",
        "state_done": "finished",
        "state_failed": "failed",
        "progress_line": (
            "{files}/{files_total} files · {done}/{total} pages · {rate} pages/s · {eta} left"
        ),
        "asked_by": "Asked for by {who}",
        "keep_working": "This page follows the run by itself; you can go on working meanwhile.",
        "report": "Report",
        "report_added": "added",
        "report_updated": "updated",
        "report_unchanged": "unchanged",
        "report_duplicates": "duplicates",
        "report_removed": "removed",
        "report_failed": "failed",
        "duplicate_of": "the same content as {file}",
        "pages_read": "pages: {text} from the text layer, {converted} converted, {ocr} by OCR",
        "files_received": "Files received",
        "upload_saved": "saved",
        "upload_duplicate": "not saved again",
        "upload_refused": "refused",
        "follow_run": "Follow the indexing run {n}",
        "choose_files": "Files to add",
        "drop_files_here": "or drop files here",
        "upload_help": (
            "PDFs, images, Word, OpenDocument, web pages and text files; several at once are "
            "fine. They are saved into the library folder and indexed in the background, "
            "like ddsearch index."
        ),
        "upload": "Add to the library",
        "withdrawn_documents": "Withdrawn from the public site",
        "none": "None.",
        "edit_document": "Edit",
        "field_title": "Title",
        "field_parallel_title": "Title in the other language",
        "field_type": "Type",
        "field_year": "Year",
        "field_date": "Date (YYYY-MM-DD)",
        "field_number": "Number",
        "field_issuer": "Issuer, or authors",
        "field_publisher": "Publisher",
        "field_subjects": "Subjects",
        "field_call_number": "Call number",
        "field_shelf": "Shelf",
        "field_notes": "Notes",
        "field_languages": "Languages",
        "field_withdrawn": "Withdrawn",
        "field_places": "Places",
        "rejected_files": "Files the library could not take",
        "rejected_help": (
            "Uploaded files their run could not index, moved out of the library folder into "
            "rejected/ in the data folder so that no run tries them again. Correct the file "
            "(or ask for a better copy) and add it again, then remove it here."
        ),
        "rejected_note": "Moved out of the library folder to rejected/{file}.",
        "remove_file": "Remove",
        "action_reject": "upload rejected",
        "action_discard": "rejected file removed",
        "catalogue_csv": "Download the catalogue (CSV, withdrawn documents marked)",
        "field_work": "Other-language version",
        "places_help": (
            "Province, or Province / District / Commune, in Khmer or English, or a gazetteer "
            "code; several separated by ;. Empty: the places found in the text; - for none."
        ),
        "work_help": (
            "The id of the same law in the other language (the end of its page's address). "
            "Empty: the version found by comparing texts; - for none."
        ),
        "yours": "corrected",
        "detected_value": "detected",
        "saved_changes": "Saved. Search, the document page, its JSON and the feeds show it now:",
        "no_changes": "Nothing was changed.",
        "record_added": "The record was added; it can be found by search now.",
        "withdrawn_note": "Withdrawn: not on the public site (kept in the library).",
        "public_page": "Public page",
        "edit_help": (
            "An empty field, or one left as detected, keeps the value detected from the text."
        ),
        "save": "Save",
        "actions": "Actions",
        "withdraw": "Withdraw from the public site",
        "restore": "Put back on the public site",
        "reason": "Reason (for the log)",
        "attach_scan": "Scanned copy to attach",
        "attach": "Attach",
        "reocr": "Read this document again by OCR",
        "reocr_help": "Only pages an older OCR recipe read; runs in the background.",
        "record_help": (
            "A book, report or manual kept on the shelf, without a file: found by search "
            "beside the digital documents. A scan can be attached later."
        ),
        "imported_n": "{added} records added, {skipped} rows skipped.",
        "row": "Row",
        "import_help": (
            "A CSV of the office's list (saved from a spreadsheet as CSV UTF-8), with a "
            "first row of headings such as Title, Title (English), Author, Publisher, Year, "
            "Type, Language, Subjects, Call number, Shelf, Notes. Rows already in the "
            "catalogue (same call number, or same title and year) are skipped."
        ),
        "csv_file": "CSV file",
        "import": "Import",
        "add_account": "Add an account",
        "what": "What",
        "when": "When",
        "who": "Who",
        "target": "Document or account",
        "before_after": "Before → after",
        "all_changes": "All changes",
        "export_csv": "Export (CSV)",
        "action_upload": "file added",
        "action_edit": "catalogue corrected",
        "action_withdraw": "withdrawn",
        "action_restore": "put back",
        "action_record": "record added",
        "action_attach": "scan attached",
        "action_reocr": "read again",
        "action_catalog": "catalog.csv applied",
        "action_account": "account",
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
        "no_matching_pages": ("គ្មានអត្ថបទទំព័រណាត្រូវនឹង «{q}» ទេ (ប្រហែលជាចំណងជើង ឬព័ត៌មានលម្អិត)។"),
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
        "workspace": "កន្លែងធ្វើការ",
        "edit": "កែ",
        "printed_copy": "ច្បាប់បោះពុម្ព៖",
        "printed_only": "មានតែច្បាប់បោះពុម្ព (គ្មានឯកសារឌីជីថល)។",
        "on_shelf": "នៅលើធ្នើ {shelf}",
        "call_number": "លេខហៅ",
        "parallel_title": "ចំណងជើងជាភាសាម្ខាងទៀត",
        "publisher": "គ្រឹះស្ថានបោះពុម្ព",
        "subjects": "ប្រធានបទ",
        "notes": "កំណត់សម្គាល់",
        "upload_files": "បន្ថែមឯកសារ",
        "new_record": "កំណត់ត្រាថ្មី (ច្បាប់បោះពុម្ព)",
        "import_records": "នាំចូលបញ្ជីច្បាប់បោះពុម្ព",
        "change_log": "កំណត់ហេតុនៃការផ្លាស់ប្តូរ",
        "accounts": "គណនី",
        "change_password": "ប្តូរពាក្យសម្ងាត់",
        "sign_in": "ចូល",
        "sign_out": "ចាកចេញ",
        "wrong_sign_in": "ឈ្មោះ ឬពាក្យសម្ងាត់មិនត្រឹមត្រូវ។ សូមពិនិត្យ ហើយព្យាយាមម្តងទៀត។",
        "too_many": (
            "ការចូលបរាជ័យច្រើនដងពេក៖ ការចូលត្រូវបានបដិសេធមួយរយៈ។ សូមរង់ចាំ ១៥ នាទី "
            "ហើយព្យាយាមម្តងទៀត ឬសុំឱ្យអ្នកគ្រប់គ្រងកំណត់ពាក្យសម្ងាត់ថ្មី។"
        ),
        "forbidden": "មិនអនុញ្ញាត",
        "too_large": "ឯកសារធំពេក",
        "username": "ឈ្មោះ",
        "password": "ពាក្យសម្ងាត់",
        "new_password": "ពាក្យសម្ងាត់ថ្មី",
        "current_password": "ពាក្យសម្ងាត់បច្ចុប្បន្ន",
        "password_changed": "ពាក្យសម្ងាត់របស់អ្នកត្រូវបានប្តូរ ហើយវគ្គផ្សេងទៀតរបស់អ្នកត្រូវបានបិទ។",
        "signed_in_as": "បានចូលជា {name} ({role})។",
        "role": "តួនាទី",
        "role_admin": "អ្នកគ្រប់គ្រង",
        "role_editor": "អ្នកកែសម្រួល",
        "recent_runs": "ការធ្វើលិបិក្រមថ្មីៗ",
        "run": "ដំណើរការ",
        "kind_index": "ធ្វើលិបិក្រមឯកសារដែលបានបន្ថែម",
        "kind_reocr": "អានឯកសារម្តងទៀត",
        "no_runs": "មិនទាន់មានដំណើរការនៅឡើយទេ។",
        "state_queued": "កំពុងរង់ចាំ",
        "state_running": "កំពុងដំណើរការ",
        "state_done": "បានបញ្ចប់",
        "state_failed": "បរាជ័យ",
        "progress_line": (
            "ឯកសារ {files}/{files_total} · ទំព័រ {done}/{total} · {rate} ទំព័រ/វិនាទី · នៅសល់ {eta}"
        ),
        "asked_by": "ស្នើដោយ {who}",
        "keep_working": "ទំព័រនេះតាមដានដំណើរការដោយខ្លួនឯង អ្នកអាចបន្តធ្វើការផ្សេងទៀតបាន។",
        "report": "របាយការណ៍",
        "report_added": "បានបន្ថែម",
        "report_updated": "បានធ្វើបច្ចុប្បន្នភាព",
        "report_unchanged": "មិនផ្លាស់ប្តូរ",
        "report_duplicates": "ស្ទួន",
        "report_removed": "បានដកចេញ",
        "report_failed": "បរាជ័យ",
        "duplicate_of": "ខ្លឹមសារដូច {file}",
        "pages_read": "ទំព័រ៖ {text} ពីស្រទាប់អត្ថបទ {converted} បម្លែង {ocr} ដោយ OCR",
        "files_received": "ឯកសារដែលបានទទួល",
        "upload_saved": "បានរក្សាទុក",
        "upload_duplicate": "មិនបានរក្សាទុកម្តងទៀតទេ",
        "upload_refused": "ត្រូវបានបដិសេធ",
        "follow_run": "តាមដានដំណើរការធ្វើលិបិក្រម {n}",
        "choose_files": "ឯកសារដែលត្រូវបន្ថែម",
        "drop_files_here": "ឬទម្លាក់ឯកសារនៅទីនេះ",
        "upload_help": (
            "អាចបញ្ជូនឯកសារច្រើនក្នុងពេលតែមួយ។ ឯកសារត្រូវបានរក្សាទុកក្នុងថតបណ្ណាល័យ "
            "ហើយធ្វើលិបិក្រមនៅផ្ទៃខាងក្រោយ ដូចជា ddsearch index។"
        ),
        "upload": "បន្ថែមទៅបណ្ណាល័យ",
        "withdrawn_documents": "បានដកចេញពីគេហទំព័រសាធារណៈ",
        "none": "គ្មាន។",
        "edit_document": "កែ",
        "field_title": "ចំណងជើង",
        "field_parallel_title": "ចំណងជើងជាភាសាម្ខាងទៀត",
        "field_type": "ប្រភេទ",
        "field_year": "ឆ្នាំ",
        "field_date": "កាលបរិច្ឆេទ (ឆ្នាំ-ខែ-ថ្ងៃ)",
        "field_number": "លេខ",
        "field_issuer": "អ្នកចេញ ឬអ្នកនិពន្ធ",
        "field_publisher": "គ្រឹះស្ថានបោះពុម្ព",
        "field_subjects": "ប្រធានបទ",
        "field_call_number": "លេខហៅ",
        "field_shelf": "ធ្នើ",
        "field_notes": "កំណត់សម្គាល់",
        "field_languages": "ភាសា",
        "field_withdrawn": "បានដកចេញ",
        "field_places": "ទីកន្លែង",
        "rejected_files": "ឯកសារដែលបណ្ណាល័យមិនអាចទទួលយកបាន",
        "rejected_help": (
            "ឯកសារដែលបានបញ្ជូន តែមិនអាចធ្វើលិបិក្រមបាន ត្រូវបានផ្លាស់ចេញពីថតបណ្ណាល័យ "
            "ទៅថត rejected/ ក្នុងថតទិន្នន័យ ដើម្បីកុំឱ្យដំណើរការណាមួយព្យាយាមវាម្តងទៀត។ "
            "សូមកែឯកសារនោះ (ឬសុំច្បាប់ល្អជាងនេះ) ហើយបន្ថែមវាម្តងទៀត រួចដកវាចេញនៅទីនេះ។"
        ),
        "rejected_note": "បានផ្លាស់ចេញពីថតបណ្ណាល័យ ទៅ rejected/{file}។",
        "remove_file": "ដកចេញ",
        "action_reject": "ឯកសារត្រូវបានបដិសេធ",
        "action_discard": "បានលុបឯកសារដែលត្រូវបានបដិសេធ",
        "catalogue_csv": "ទាញយកកាតាឡុក (CSV ដែលសម្គាល់ឯកសារដែលបានដកចេញ)",
        "field_work": "កំណែជាភាសាម្ខាងទៀត",
        "places_help": (
            "ខេត្ត ឬ ខេត្ត / ស្រុក / ឃុំ ជាភាសាខ្មែរ ឬអង់គ្លេស ឬលេខកូដភូមិសាស្ត្រ "
            "ច្រើនកន្លែងបំបែកដោយ ;។ ទុកទទេ៖ ទីកន្លែងដែលបានរកឃើញក្នុងអត្ថបទ។ - ៖ គ្មាន។"
        ),
        "work_help": (
            "លេខសម្គាល់នៃច្បាប់ដដែលជាភាសាម្ខាងទៀត (ផ្នែកចុងនៃអាសយដ្ឋានទំព័ររបស់វា)។ "
            "ទុកទទេ៖ កំណែដែលបានរកឃើញដោយប្រៀបធៀបអត្ថបទ។ - ៖ គ្មាន។"
        ),
        "yours": "បានកែ",
        "detected_value": "បានរកឃើញ",
        "saved_changes": "បានរក្សាទុក។ ការស្វែងរក ទំព័រឯកសារ JSON និង feed បង្ហាញវាឥឡូវនេះ៖",
        "no_changes": "គ្មានអ្វីត្រូវបានផ្លាស់ប្តូរទេ។",
        "record_added": "កំណត់ត្រាត្រូវបានបន្ថែម ហើយអាចស្វែងរកឃើញឥឡូវនេះ។",
        "withdrawn_note": "បានដកចេញ៖ មិនមាននៅលើគេហទំព័រសាធារណៈទេ (រក្សាទុកក្នុងបណ្ណាល័យ)។",
        "public_page": "ទំព័រសាធារណៈ",
        "edit_help": "វាលទទេ ឬវាលដែលទុកដូចដែលបានរកឃើញ រក្សាតម្លៃដែលបានរកឃើញពីអត្ថបទ។",
        "save": "រក្សាទុក",
        "actions": "សកម្មភាព",
        "withdraw": "ដកចេញពីគេហទំព័រសាធារណៈ",
        "restore": "ដាក់ត្រឡប់មកគេហទំព័រសាធារណៈវិញ",
        "reason": "មូលហេតុ (សម្រាប់កំណត់ហេតុ)",
        "attach_scan": "ច្បាប់ស្កេនដែលត្រូវភ្ជាប់",
        "attach": "ភ្ជាប់",
        "reocr": "អានឯកសារនេះម្តងទៀតដោយ OCR",
        "reocr_help": "តែទំព័រដែលរូបមន្ត OCR ចាស់បានអាន ដំណើរការនៅផ្ទៃខាងក្រោយ។",
        "record_help": (
            "សៀវភៅ របាយការណ៍ ឬសៀវភៅណែនាំដែលរក្សាទុកនៅលើធ្នើ គ្មានឯកសារឌីជីថល៖ "
            "អាចស្វែងរកឃើញជាមួយឯកសារឌីជីថល។ អាចភ្ជាប់ច្បាប់ស្កេននៅពេលក្រោយ។"
        ),
        "imported_n": "បានបន្ថែមកំណត់ត្រា {added} រំលងជួរ {skipped}។",
        "row": "ជួរ",
        "import_help": (
            "ឯកសារ CSV នៃបញ្ជីរបស់ការិយាល័យ (រក្សាទុកពីតារាងជា CSV UTF-8) "
            "ដែលជួរទីមួយមានចំណងជើងជួរឈរ ដូចជា ចំណងជើង ចំណងជើងអង់គ្លេស អ្នកនិពន្ធ "
            "គ្រឹះស្ថានបោះពុម្ព ឆ្នាំ ប្រភេទ ភាសា ប្រធានបទ លេខហៅ ធ្នើ កំណត់សម្គាល់។ "
            "ជួរដែលមានរួចហើយក្នុងកាតាឡុក (លេខហៅដូចគ្នា ឬចំណងជើងនិងឆ្នាំដូចគ្នា) "
            "ត្រូវបានរំលង។"
        ),
        "csv_file": "ឯកសារ CSV",
        "import": "នាំចូល",
        "add_account": "បន្ថែមគណនី",
        "what": "អ្វី",
        "when": "ពេលណា",
        "who": "អ្នកណា",
        "target": "ឯកសារ ឬគណនី",
        "before_after": "មុន → ក្រោយ",
        "all_changes": "ការផ្លាស់ប្តូរទាំងអស់",
        "export_csv": "នាំចេញ (CSV)",
        "action_upload": "បានបន្ថែមឯកសារ",
        "action_edit": "បានកែកាតាឡុក",
        "action_withdraw": "បានដកចេញ",
        "action_restore": "បានដាក់ត្រឡប់វិញ",
        "action_record": "បានបន្ថែមកំណត់ត្រា",
        "action_attach": "បានភ្ជាប់ច្បាប់ស្កេន",
        "action_reocr": "បានអានម្តងទៀត",
        "action_catalog": "បានអនុវត្ត catalog.csv",
        "action_account": "គណនី",
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

#: The workspace's sentences made in Python (`indexer.errors.Sentence`: English, a key and
#: values) in the other interface languages; a key missing here is said in English.
SENTENCES: dict[str, dict[str, str]] = {
    "km": {
        "unknown_type": "ប្រភេទ '{cell}' មិនស្គាល់ទេ៖ សូមប្រើមួយក្នុងចំណោម {known}។",
        "not_a_date": (
            "'{cell}' មិនមែនជាកាលបរិច្ឆេទទេ៖ សូមសរសេរជា 2004-07-15, 2004-07 ឬ 2004 "
            "ឬទុកទទេ ដើម្បីរក្សាកាលបរិច្ឆេទដែលបានរកឃើញ។"
        ),
        "not_a_year": (
            "'{cell}' មិនមែនជាឆ្នាំទេ៖ សូមសរសេរឆ្នាំ ដូចជា 2005 ឬទុកទទេ ដើម្បីរក្សាឆ្នាំដែលបានរកឃើញ។"
        ),
        "unknown_language": "ភាសាក្នុង '{cell}' មិនស្គាល់ទេ៖ សូមសរសេរ km, en ឬ km en។",
        "date_not_of_year": (
            "កាលបរិច្ឆេទ {date} មិនមែននៅឆ្នាំ {year} ទេ៖ សូមកែមួយក្នុងចំណោមពីរនេះ "
            "ឬទុកឆ្នាំទទេ (កាលបរិច្ឆេទផ្តល់ឆ្នាំរបស់វា)។"
        ),
        "unknown_place": (
            "'{part}' មិនមែនជាទីកន្លែងក្នុងបញ្ជីរដ្ឋបាលទេ៖ សូមសរសេរខេត្ត ឬ ខេត្ត / ស្រុក / ឃុំ "
            "ជាភាសាខ្មែរ ឬអង់គ្លេស (ឧ. កណ្ដាល / កៀនស្វាយ) ឬលេខកូដរបស់វា។"
        ),
        "several_places": (
            "'{part}' ជាឈ្មោះនៃទីកន្លែងច្រើន៖ សូមសរសេរ ខេត្ត / ស្រុក / ឃុំ (ឧ. កណ្ដាល / កៀនស្វាយ) ឬលេខកូដរបស់វា។"
        ),
        "not_in_library": "គ្មានឯកសារណាក្នុងបណ្ណាល័យមានលេខសម្គាល់ '{id}' ទេ។",
        "needs_title": "កំណត់ត្រាត្រូវការចំណងជើង (ជាភាសាខ្មែរ អង់គ្លេស ឬទាំងពីរ)។",
        "work_itself": (
            "ឯកសារមួយមិនអាចជាកំណែភាសាម្ខាងទៀតរបស់ខ្លួនឯងបានទេ៖ សូមសរសេរលេខសម្គាល់"
            "នៃកំណែម្ខាងទៀត (ផ្នែកចុងនៃអាសយដ្ឋានទំព័ររបស់វា) ឬ - បើគ្មាន។"
        ),
        "work_unknown": (
            "គ្មានឯកសារណាក្នុងបណ្ណាល័យមានលេខសម្គាល់ '{id}' ទេ៖ សូមសរសេរលេខសម្គាល់"
            "នៃកំណែភាសាម្ខាងទៀត (ផ្នែកចុងនៃអាសយដ្ឋានទំព័ររបស់វា /doc/ID) ឬ - បើគ្មាន។"
        ),
        "record_no_pages": "កំណត់ត្រាដែលគ្មានឯកសារឌីជីថល មិនមានទំព័រសម្រាប់អានម្តងទៀតទេ។",
        "has_a_file": "ឯកសារនេះមានឯកសារឌីជីថលរួចហើយ៖ ច្បាប់ស្កេនភ្ជាប់បានតែទៅកំណត់ត្រាប៉ុណ្ណោះ។",
        "no_rejected": "ឯកសារនេះលែងនៅក្នុងថត rejected ហើយ។",
        "upload_kind": "អាចបន្ថែមបានតែប្រភេទឯកសារដែលបណ្ណាល័យធ្វើលិបិក្រមបាន ({kinds})។",
        "upload_held": ("បណ្ណាល័យមានឯកសារនេះរួចហើយ ជា {where} (ឯកសារ {id})៖ មិនបានរក្សាទុកម្តងទៀតទេ។"),
        "upload_same": "ឯកសារដដែលនេះមាននៅក្នុងបណ្ណាល័យរួចហើយ ជា {name}។",
        "upload_saved_as": "បានរក្សាទុកជា {name}។",
        "upload_no_name": "រកឈ្មោះទំនេរសម្រាប់ឯកសារនេះមិនបានទេ៖ សូមប្តូរឈ្មោះវា។",
        "choose_files": "សូមជ្រើសរើសឯកសារមួយ ឬច្រើន ដើម្បីបន្ថែម។",
        "choose_csv": "សូមជ្រើសរើសឯកសារ CSV នៃបញ្ជី។",
        "choose_scan": "សូមជ្រើសរើសឯកសារនៃច្បាប់ស្កេនដែលត្រូវភ្ជាប់។",
        "wrong_current_password": "ពាក្យសម្ងាត់បច្ចុប្បន្នដែលបានវាយមិនត្រឹមត្រូវទេ៖ សូមវាយវាម្តងទៀត។",
        "bad_account_name": (
            "“{name}” មិនអាចជាឈ្មោះគណនីបានទេ៖ សូមប្រើអក្សរ លេខ ចំណុច (.) សញ្ញាដក (-) "
            "សញ្ញាគូសក្រោម (_) ឬ @ ពី ១ ដល់ {max} តួ។"
        ),
        "short_password": (
            "ពាក្យសម្ងាត់មាន {count} តួអក្សរ៖ សូមប្រើយ៉ាងហោចណាស់ {min} តួ (ពាក្យពីរបីម៉ាត់ជាពាក្យសម្ងាត់ល្អ)។"
        ),
        "long_password": "សូមប្រើពាក្យសម្ងាត់ដែលមិនលើសពី {max} តួអក្សរ។",
        "password_is_name": "ពាក្យសម្ងាត់មិនអាចដូចឈ្មោះគណនីបានទេ។",
        "bad_role": "តួនាទីគឺ admin ឬ editor មិនមែន “{role}” ទេ។",
        "name_taken": "មានគណនីឈ្មោះ {name} រួចហើយ។",
        "no_account": "គ្មានគណនីឈ្មោះ {name} ទេ។",
        "last_admin": (
            "{name} ជាអ្នកគ្រប់គ្រងតែម្នាក់គត់៖ សូមបង្កើតអ្នកគ្រប់គ្រងម្នាក់ទៀតជាមុនសិន "
            "ដើម្បីឱ្យនៅមាននរណាម្នាក់អាចគ្រប់គ្រងគណនីបាន។"
        ),
        "form_expired": (
            "ទម្រង់ត្រូវបានបដិសេធ៖ វាផុតកំណត់ ឬមិនបានមកពីគេហទំព័រនេះទេ។ សូមត្រឡប់ក្រោយ ផ្ទុកទំព័រឡើងវិញ ហើយបញ្ជូនវាម្តងទៀត។"
        ),
        "too_large": (
            "ឯកសារដែលបានបញ្ជូនធំជាង {limit} MB សរុប៖ សូមបញ្ជូនតិចជាងនេះក្នុងមួយលើក "
            "ឬចម្លងឯកសារធំៗទៅក្នុងថតបណ្ណាល័យ ហើយដំណើរការ ddsearch index។"
        ),
        "no_title_column": (
            "{file} មិនមានជួរឈរចំណងជើងនៅជួរទីមួយទេ៖ សូមដាក់ឈ្មោះជួរឈរមួយថា “title” (ឬ “title (english)”)។"
        ),
        "row_without_title": "ជួរនេះគ្មានចំណងជើង",
        "already_recorded": "មានក្នុងកាតាឡុករួចហើយ ជា {id}",
    },
}


def say(sentence: str, ui: str) -> str:
    """A sentence made in Python in the interface language: in its own words when
    SENTENCES has its key (numbers in the language's digits), else as it was made."""
    template = SENTENCES.get(ui, {}).get(getattr(sentence, "key", ""))
    if template is None:
        return str(sentence)
    values = {
        name: digits(value, ui) if isinstance(value, int) else value
        for name, value in sentence.values.items()
    }
    return template.format(**values)


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
