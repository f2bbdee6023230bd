"""The streaming wing: record files in, cleaned records out, on all cores.

- ``records``: the readers (JSONL, WARC, WET; plain, gzip, zstd), skip reasons, and the one
  atomic output writer;
- ``pool``: :func:`~boilerplate.streaming.pool.clean_record` over the public API, and the
  bounded, order-keeping worker pool (no terminal UI: that is the CLI's);
- ``datatrove``: a reader and a cleaning step for datatrove pipelines (needs ``datatrove``).
"""
