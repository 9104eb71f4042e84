"""Sitemaps: files of at most 50,000 URLs under one sitemap index (sitemaps.org protocol)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from xml.sax.saxutils import escape

MAX_URLS = 50_000


def sitemap_files(urls: Iterable[str], base: str) -> Iterator[tuple[str, str]]:
    """Yield (file name, XML) for each sitemap file and, last, the index that lists them.

    `urls` are absolute; `base` is the absolute URL of the folder the files are written to.
    """
    iterator = iter(urls)
    names = []
    number = 1
    while True:
        chunk = list(islice(iterator, MAX_URLS))
        if not chunk and names:
            break
        name = f"sitemap-{number}.xml"
        names.append(name)
        body = "".join(f"  <url><loc>{escape(url)}</loc></url>\n" for url in chunk)
        yield name, ('<?xml version="1.0" encoding="utf-8"?>\n'
                     '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
                     f"{body}</urlset>\n")
        number += 1
        if len(chunk) < MAX_URLS:
            break
    listed = "".join(f"  <sitemap><loc>{escape(base + name)}</loc></sitemap>\n" for name in names)
    yield "sitemap.xml", ('<?xml version="1.0" encoding="utf-8"?>\n'
                          '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
                          f"{listed}</sitemapindex>\n")
