"""Make user text safe to quote back: no pings, no hidden markers, no raw HTML, bounded length."""

from __future__ import annotations

import re
import unicodedata

from mentoring.core import markers

ZWSP = "\u200b"
_MENTION = re.compile(r"@(?=[A-Za-z0-9])")
_CONTROL = {"Cc", "Cf", "Cs", "Co", "Cn"}


def quote(text: str | None, limit: int = 300) -> str:
    """User text for a bot comment: one line, mentions defused, HTML inert, at most ``limit`` chars.

    - ``@name`` gets a zero-width space after the ``@``, so GitHub links nobody;
    - ``<`` becomes ``&lt;``, so HTML comments (markers) and tags stay visible text;
    - control and format characters (bidi overrides, zero-width joiners) are removed;
    - newlines fold to spaces and the result is cut with an ellipsis.
    """
    text = markers.remove(text or "")
    text = "".join(
        " " if ch in "\r\n\t" else ch
        for ch in text
        if ch in "\r\n\t" or unicodedata.category(ch) not in _CONTROL
    )
    text = " ".join(text.split())
    text = text.replace("<", "&lt;").replace(">", "&gt;")
    text = _MENTION.sub("@" + ZWSP, text)
    text = text.replace("`", "'")
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text
