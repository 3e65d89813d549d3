"""The librarian's workspace behind the website's /admin: accounts, background runs of the
indexing code, uploads, catalogue corrections, records without a file. Its own state is
``workspace.sqlite`` in the data folder; what it changes in the library goes through the
library state, the change log and the same sync as every indexing run."""
