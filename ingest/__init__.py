"""The ingestion library: from a source registry to `Document`s, with no Prefect in it.

sources   the registry (TOML) → `Source`s
discover  feeds, sitemaps, listing pages, folders → `Candidate` pages
fetch     the one HTTP client: robots.txt, per-host pacing, conditional GET, retries, caps
read      HTML → main text, title, date, language (trafilatura)
pages     a fetched or read candidate → a `Document`, or the reason there is none
dedup     near-duplicates (republications) by SimHash and shingle containment
canonical, language   URL canonicalisation; language detection

The Prefect flow in `sentinella.flows` orchestrates these; the functions here are plain
Python, testable without a flow.
"""
