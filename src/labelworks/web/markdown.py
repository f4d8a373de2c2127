"""Customer-provided markdown (instructions, model responses) to HTML that is safe to insert:
markdown-it with raw HTML off, then nh3 (ammonia) as the allow-list sanitizer."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def to_html(text: object) -> str:
    if not isinstance(text, str) or not text:
        return ""
    return nh3.clean(
        _md.render(text),
        link_rel="noopener noreferrer nofollow",
        url_schemes={"http", "https", "mailto"},
    )
