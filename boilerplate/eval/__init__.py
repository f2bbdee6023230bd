"""The evaluation wing: research tooling, never imported by the cleaning path.

- ``corpora``: the benchmark corpora's pages and gold (the one reader of each format);
- ``align``: labeling rendered lines by alignment with a gold main text;
- ``dataset``: the labeled line-level dataset's JSONL and stand-off annotation files;
- ``metrics``: benchmark metrics (Scrapinghub shingles, WCXB words) and line metrics over
  ``sklearn.metrics``;
- ``record_files``: WARC and JSONL record files built from corpus pages (scaling benchmark, tests).
"""
