"""The home page's timeline: cables per month as an inline SVG, drawn at build time."""

from __future__ import annotations

from html import escape


def timeline_svg(months: list[tuple[str, str, int, str | None]], width: int = 960,
                 height: int = 160) -> str:
    """`months`: (year, month, count, url) in date order, gaps included. Labels are escaped."""
    if not months:
        return ""
    top = max(count for _, _, count, _ in months) or 1
    bar = width / len(months)
    plot = height - 20
    # Label every year, or every 2nd, 5th, 10th ... so that labels stay ~40 px apart.
    pixels_per_year = width * 12 / len(months)
    step = next((s for s in (1, 2, 5, 10, 20, 50) if s * pixels_per_year >= 40), 100)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'class="timeline" role="img" aria-labelledby="timeline-title">',
             f'<title id="timeline-title">Cables per month, {escape(months[0][0])} to '
             f'{escape(months[-1][0])}</title>']
    for position, (year, month, count, url) in enumerate(months):
        x = position * bar
        h = plot * count / top
        label = escape(f"{year}-{month}: {count:,} cables")
        rect = (f'<rect x="{x:.2f}" y="{plot - h:.2f}" width="{max(bar - 0.5, 0.5):.2f}" '
                f'height="{h:.2f}"><title>{label}</title></rect>')
        parts.append(f'<a href="{escape(url, quote=True)}">{rect}</a>' if url and count
                     else rect)
        if month == "01" and int(year) % step == 0:
            parts.append(f'<text x="{x:.2f}" y="{height - 4}">{escape(year)}</text>')
    parts.append("</svg>")
    return "".join(parts)
