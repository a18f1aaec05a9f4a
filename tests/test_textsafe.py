"""Quoting user text: no pings, no markers, no HTML, bounded."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mentoring.core import markers
from mentoring.core.textsafe import ZWSP, quote


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ada", "Ada"),
        ("ping @octocat please", f"ping @{ZWSP}octocat please"),
        ("mail me@example.org", f"mail me@{ZWSP}example.org"),
        ("<!-- mentoring:card {} -->hi", "hi"),
        ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
        ("a\r\nb\n\nc", "a b c"),
        ("rtl\u202eevil", "rtlevil"),
        ("`code` here", "'code' here"),
        (None, ""),
    ],
    ids=[
        "plain",
        "mention",
        "email",
        "forged-marker",
        "html",
        "newlines",
        "bidi",
        "backticks",
        "none",
    ],
)
def test_quote(text, expected):
    assert quote(text) == expected


def test_long_text_is_cut():
    out = quote("x" * 65_000, limit=50)
    assert len(out) == 50 and out.endswith("…")


@given(st.text())
def test_quoted_text_never_pings_or_carries_markers(text):
    out = quote(text)
    assert not list(markers.parse(out))
    assert "<" not in out
    for index, char in enumerate(out[:-1]):
        if char == "@" and out[index + 1].isalnum() and out[index + 1].isascii():
            pytest.fail(f"unneutralised mention in {out!r}")
