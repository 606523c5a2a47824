"""Reading exports: detect -> read -> normalise (``reader``) -> resolve re-downloads
(``overlap``); ``load.load_exports`` runs them for a plan's files. Kept import-free so the
plan can use ``base.ReadOptions`` without loading polars."""
