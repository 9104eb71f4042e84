"""Atom feeds: the site's newest cables, and each tag's and post's."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from generator.structure.pages import CableEntry


def _time(created: str | None) -> str:
    # Atom wants seconds: 2007-03-23T10:08Z -> 2007-03-23T10:08:00Z
    if not created:
        return "1970-01-01T00:00:00Z"
    return created[:16] + ":00Z" if len(created) == 17 else created


def atom_feed(*, title: str, feed_url: str, page_url: str, feed_id: str,
              entries: list[tuple[CableEntry, str]], generator_version: str) -> str:
    """An Atom 1.0 document. `entries` are (entry, absolute-or-root-relative URL) pairs, newest
    first. Every text is XML-escaped: cable text is untrusted."""
    updated = _time(entries[0][0].created) if entries else "1970-01-01T00:00:00Z"
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>\n',
        '<feed xmlns="http://www.w3.org/2005/Atom">\n',
        f"  <title>{escape(title)}</title>\n",
        f"  <id>{escape(feed_id)}</id>\n",
        f"  <updated>{updated}</updated>\n",
        f"  <link rel=\"self\" href={quoteattr(feed_url)}/>\n",
        f"  <link rel=\"alternate\" type=\"text/html\" href={quoteattr(page_url)}/>\n",
        f"  <generator version={quoteattr(generator_version)}>gen</generator>\n",
    ]
    for entry, url in entries:
        heading = entry.reference_id + (f": {entry.subject}" if entry.subject else "")
        details = ", ".join(part for part in (entry.origin, entry.classification) if part)
        summary = (entry.summary or "") + (f" ({details})" if details else "")
        parts += [
            "  <entry>\n",
            f"    <title>{escape(heading)}</title>\n",
            f"    <id>urn:cable:{escape(entry.reference_id)}</id>\n",
            f"    <link rel=\"alternate\" type=\"text/html\" href={quoteattr(url)}/>\n",
            f"    <updated>{_time(entry.created)}</updated>\n",
            f"    <published>{_time(entry.created)}</published>\n",
            f"    <author><name>{escape(entry.origin or 'unknown')}</name></author>\n",
            f"    <summary type=\"text\">{escape(summary.strip())}</summary>\n" if summary.strip()
            else "",
            "  </entry>\n",
        ]
    parts.append("</feed>\n")
    return "".join(parts)
