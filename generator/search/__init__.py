"""Client-side search: an index written by `gen build` as static, sharded files, and a reference
query engine in Python that reads the same files as the JavaScript client (themes/default)."""
