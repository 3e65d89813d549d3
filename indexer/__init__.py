"""ddsearch indexer: PDF -> pages -> extraction store -> Whoosh index -> queries."""
