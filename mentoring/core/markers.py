"""Hidden markers in the bot's comments: how the bot finds its own earlier work.

A marker is an HTML comment, invisible on GitHub, holding a kind and a small
JSON payload: ``<!-- mentoring:checkin {"due": "2026-02-14"} -->``. Anyone can
paste one into a comment, so a marker only counts in a comment written by the
bot itself: every reader here takes the bot's login and ignores the rest.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from mentoring.core.model import Comment

OPEN = "<!-- mentoring:"
CLOSE = " -->"
_INSIDE = re.compile(r"(?P<kind>[a-z][a-z0-9-]*)(?: (?P<data>\{.*\}))?", re.DOTALL)


def make(kind: str, data: dict[str, Any] | None = None) -> str:
    """The marker text for ``kind`` with ``data``; safe to embed in Markdown."""
    if not re.fullmatch(r"[a-z][a-z0-9-]*", kind):
        raise ValueError(f"bad marker kind {kind!r}")
    if not data:
        return f"<!-- mentoring:{kind} -->"
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=str)
    # Keep the HTML comment closed only where we close it.
    text = text.replace("-", "\\u002d").replace(">", "\\u003e")
    return f"<!-- mentoring:{kind} {text} -->"


def _scan(body: str) -> Iterator[tuple[int, int, str, str | None]]:
    """(start, end, kind, raw data) of every marker-shaped span, in one linear pass.

    Plain string search rather than one regular expression over the whole body,
    so a crafted body of 64 KB of half-open markers cannot make it quadratic.
    """
    pos = 0
    while (start := body.find(OPEN, pos)) != -1:
        end = body.find(CLOSE, start + len(OPEN))
        if end == -1:
            return
        match = _INSIDE.fullmatch(body, start + len(OPEN), end)
        if match is None:
            pos = start + 1
            continue
        yield start, end + len(CLOSE), match.group("kind"), match.group("data")
        pos = end + len(CLOSE)


CACHED_BODY = 16_384  # bodies up to this long keep their markers (the bot's are a few KB)


# Room for every bot comment a pass at N=10,000 reads (about 26,000; 10,467 at N=4,000):
# an LRU cache smaller than the set a pass goes round misses on every read.
@functools.lru_cache(maxsize=1 << 15)
def _markers(body: str) -> tuple[tuple[str, dict[str, Any]], ...]:
    """(kind, data) of each readable marker in a body, kept: a run reads the same comments
    many times (each pass's every issue, each decision). Callers get a copy of each mapping
    (no caller changes the lists inside)."""
    found = []
    for _, _, kind, raw in _scan(body):
        if raw is None:
            found.append((kind, {}))
            continue
        try:
            data = json.loads(raw)
        except ValueError:
            continue
        if isinstance(data, dict):
            found.append((kind, data))
    return tuple(found)


def parse(body: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every (kind, data) marker in a comment body, in order; unreadable data is skipped."""
    body = body or ""
    if len(body) > CACHED_BODY:
        yield from _markers.__wrapped__(body)
        return
    for kind, data in _markers(body):
        yield kind, dict(data)


def kinds(body: str) -> set[str]:
    return {kind for kind, _ in parse(body)}


def remove(text: str) -> str:
    """Remove anything marker-shaped from text (used on user text the bot quotes)."""
    text = text or ""
    kept, pos = [], 0
    for start, end, _, _ in _scan(text):
        kept.append(text[pos:start])
        pos = end
    kept.append(text[pos:])
    return "".join(kept)


def trusted(
    comments: Iterable[Comment], bot_login: str
) -> Iterator[tuple[Comment, str, dict[str, Any]]]:
    """(comment, kind, data) for every marker in a comment the bot wrote, oldest first."""
    for comment in comments:
        if not comment.by(bot_login):
            continue
        for kind, data in parse(comment.body):
            yield comment, kind, data


def find(
    comments: Iterable[Comment], bot_login: str, kind: str
) -> list[tuple[Comment, dict[str, Any]]]:
    """The bot's comments carrying a ``kind`` marker, oldest first, with the marker's data."""
    return [(c, data) for c, k, data in trusted(comments, bot_login) if k == kind]


def latest(
    comments: Iterable[Comment], bot_login: str, kind: str
) -> tuple[Comment, dict[str, Any]] | None:
    found = find(comments, bot_login, kind)
    return found[-1] if found else None
