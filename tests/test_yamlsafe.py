"""Safe YAML loading: plain values with lines, and a clear YamlError for everything refused."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mentoring.errors import Problem, YamlError
from mentoring.program.yamlsafe import (
    ALIAS_MESSAGE,
    TAB_MESSAGE,
    breadcrumb,
    load_yaml,
    load_yaml_file,
)

ROLES = """\
coordinators:
  - login: octo-coordinator
roles:
  - id: maintainer
    mentors:
      - ada-mentor
      - login: lin-mentor
        capacity: 1
"""

BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def test_values_are_plain_python():
    loaded = load_yaml(ROLES, "roles.yml")
    assert loaded.data == {
        "coordinators": [{"login": "octo-coordinator"}],
        "roles": [
            {
                "id": "maintainer",
                "mentors": ["ada-mentor", {"login": "lin-mentor", "capacity": 1}],
            }
        ],
    }
    assert loaded.filename == "roles.yml"


@pytest.mark.parametrize(
    ("path", "line"),
    [
        ((), 1),
        (("coordinators",), 1),
        (("coordinators", 0), 2),
        (("roles", 0, "mentors"), 5),
        (("roles", 0, "mentors", 0), 6),
        (("roles", 0, "mentors", 1), 7),
        (("roles", 0, "mentors", 1, "capacity"), 8),
        (("roles", 0, "mentors", 1, "nope", 3), 7),
        (("roles", 5), 3),
        (("missing",), 1),
    ],
    ids=[
        "root",
        "key",
        "item",
        "nested-key",
        "scalar-item",
        "mapping-item",
        "deep-key",
        "unknown-falls-back-to-ancestor",
        "index-out-of-range",
        "unknown-top-key",
    ],
)
def test_line_of_a_path(path, line):
    assert load_yaml(ROLES, "roles.yml").line(path) == line


@pytest.mark.parametrize(
    "text",
    ["", b"", "# only a comment\n", "---\n", "~\n"],
    ids=["empty", "empty-bytes", "comment", "document-marker", "null"],
)
def test_empty_document_is_none(text):
    assert load_yaml(text, "participants.yml").data is None


def test_without_a_document_everything_is_on_line_1():
    assert load_yaml("# nothing\n", "participants.yml").line(("participants", 0)) == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-15", dt.date(2026, 1, 15)),
        ("'2026-01-15'", "2026-01-15"),
        ("2026-02-30", "2026-02-30"),
        ("2026-01-15 10:30:00", "2026-01-15 10:30:00"),
        ("2026-01-15T10:30:00Z", "2026-01-15T10:30:00Z"),
        ("!!timestamp 2026-01-15", dt.date(2026, 1, 15)),
        ("12", 12),
        ("'12'", "12"),
        ("1.5", 1.5),
        ("true", True),
        ("no", False),
        ("~", None),
        ("", None),
        ("!!str 12", "12"),
        ("0x1F", 31),
        ("=", "="),
    ],
    ids=[
        "date",
        "quoted-date",
        "impossible-date",
        "datetime",
        "iso-datetime",
        "explicit-timestamp",
        "int",
        "quoted-int",
        "float",
        "bool",
        "yaml11-no",
        "null",
        "empty",
        "explicit-str",
        "hex",
        "value-indicator",
    ],
)
def test_scalars(text, expected):
    value = load_yaml(f"key: {text}\n", "f.yml").data["key"]
    assert value == expected
    assert type(value) is type(expected)


def test_bytes_are_utf8_and_a_bom_is_ignored():
    assert load_yaml("name: Zoë\n".encode(), "f.yml").data == {"name": "Zoë"}
    assert load_yaml(b"\xef\xbb\xbfname: x\n", "f.yml").data == {"name": "x"}


def test_a_few_aliases_are_fine_and_expand_to_independent_copies():
    loaded = load_yaml("a: &x [1, 2]\nb: *x\n", "f.yml")
    assert loaded.data == {"a": [1, 2], "b": [1, 2]}
    loaded.data["a"].append(3)
    assert loaded.data["b"] == [1, 2]
    assert loaded.line(("b", 0)) == 2  # the alias' own line, not the anchor's


# (id, text, line, key, message)
# fmt: off
REFUSED = [
    ("bad-indentation", "roles:\n  - id: a\n   name: b\n", 3, "",
     "not valid YAML: expected <block end>, but found '<block mapping start>' "
     "(while parsing a block collection on line 2)"),
    ("tab-indentation", "roles:\n\t- id: a\n", 2, "", TAB_MESSAGE),
    ("tab-in-block-text", "a: |\n  x\n\ty\n", 3, "", TAB_MESSAGE),
    ("tab-after-colon", "a:\tb\n", 1, "", "a tab is not allowed here in YAML; use spaces"),
    ("unclosed-quote", "a: 'abc\nb: 2\n", 3, "",
     "not valid YAML: found unexpected end of stream (while scanning a quoted scalar on line 1)"),
    ("colon-in-value", "a: b: c\n", 1, "", "not valid YAML: mapping values are not allowed here"),
    ("two-documents", "a: 1\n---\nb: 2\n", 2, "", "holds more than one YAML document"),
    ("undefined-alias", "a: *x\n", 1, "", "not valid YAML: found undefined alias 'x'"),
    ("duplicate-key", "a: 1\nb:\n  c: 1\n  c: 2\n", 4, "b.c",
     "duplicate key 'c' (first on line 3)"),
    ("duplicate-top-key", "roles: []\nroles: []\n", 2, "roles",
     "duplicate key 'roles' (first on line 1)"),
    ("python-tag", "a: !!python/object:os.system {}\n", 1, "a",
     "custom tags are not allowed (found '!!python/object:os.system')"),
    ("python-apply-tag", "- !!python/object/apply:os.system ['ls']\n", 1, "[0]",
     "custom tags are not allowed (found '!!python/object/apply:os.system')"),
    ("custom-tag", "a:\n  b: !custom 1\n", 2, "a.b",
     "custom tags are not allowed (found '!custom')"),
    ("binary-tag", "a: !!binary aGk=\n", 1, "a",
     "custom tags are not allowed (found '!!binary')"),
    ("set-tag", "a: !!set {x}\n", 1, "a", "custom tags are not allowed (found '!!set')"),
    ("tag-on-wrong-kind", "a: !!map x\n", 1, "a", "the tag '!!map' does not fit this value"),
    ("bad-explicit-int", "a: !!int abc\n", 1, "a", "'abc' is not a valid '!!int'"),
    ("malformed-hex", "a: 0x_\n", 1, "a", "'0x_' is not a valid '!!int'"),
    ("merge-key", "a: &x {b: 1}\nc:\n  <<: *x\n", 3, "c", "merge keys (<<) are not supported"),
    ("mapping-as-key", "? [a]\n: 1\n", 1, "", "mapping keys must be plain values like 'name'"),
    ("billion-laughs", BILLION_LAUGHS, 5, "e", ALIAS_MESSAGE),
    ("too-many-aliases", "a: &x 1\nb: [" + ", ".join(["*x"] * 101) + "]\n", 2, "",
     ALIAS_MESSAGE),
    ("alias-inside-itself", "a: &x [1, *x]\n", 1, "a[1]",
     "an alias (*) refers to a value that contains it"),
    ("deep-nesting", "[" * 150, 1, "", "nests values more than 100 levels deep"),
    ("control-character", "a: b\nc: \x07\n", 2, "",
     "contains a character YAML does not allow (U+0007)"),
    ("invalid-utf8", b"a: 1\nb: \xff\n", 2, "", "is not valid UTF-8 text"),
]
# fmt: on


@pytest.mark.parametrize(
    ("text", "line", "key", "message"),
    [case[1:] for case in REFUSED],
    ids=[case[0] for case in REFUSED],
)
def test_refused(text, line, key, message):
    with pytest.raises(YamlError) as caught:
        load_yaml(text, "roles.yml")
    problem = caught.value.problem
    assert (problem.file, problem.line, problem.key, problem.message) == (
        "roles.yml",
        line,
        key,
        message,
    )


def test_whole_messages():
    def message(text):
        with pytest.raises(YamlError) as caught:
            load_yaml(text, "roles.yml")
        return str(caught.value)

    assert message("roles:\n\t- id: a\n") == (
        "roles.yml:2: tabs are not allowed for indentation in YAML; use spaces"
        " — replace the tabs at the start of the line"
    )
    assert message("a: 1\nb:\n  c: 1\n  c: 2\n") == (
        "roles.yml:4: b.c: duplicate key 'c' (first on line 3)"
        " — YAML would silently keep only the last one; remove or rename one"
    )
    assert message(BILLION_LAUGHS) == (
        "roles.yml:5: e: uses too many YAML aliases (&/*); write the values out"
        " — at most 100 aliases, expanding to at most 10,000 values"
    )
    assert message("a: !!python/object/apply:os.system ['ls']\n") == (
        "roles.yml:1: a: custom tags are not allowed (found '!!python/object/apply:os.system')"
        " — remove the tag and write a plain value"
    )


def test_a_2_mb_file_is_refused_before_parsing():
    text = "a: " + "x" * (2 * 1024 * 1024 - 3)
    with pytest.raises(YamlError) as caught:
        load_yaml(text, "roles.yml")
    assert caught.value.problem == Problem(
        "roles.yml",
        1,
        "",
        "the file is 2 MB; the limit is 1 MB",
        "keep the program's files small; move long text into linked documents",
    )


@pytest.mark.parametrize(
    ("size", "max_bytes", "message"),
    [
        (5_452_596, 1_048_576, "the file is 5.2 MB; the limit is 1 MB"),
        (2_000, 1_024, "the file is 2 KB; the limit is 1 KB"),
        (101, 100, "the file is 101 bytes; the limit is 100 bytes"),
    ],
    ids=["megabytes", "kilobytes", "bytes"],
)
def test_size_messages(size, max_bytes, message):
    with pytest.raises(YamlError) as caught:
        load_yaml(b"#" * size, "f.yml", max_bytes=max_bytes)
    assert caught.value.problem.message == message


def test_size_limit_counts_utf8_bytes_and_allows_exactly_the_limit():
    assert load_yaml("a: é", "f.yml", max_bytes=5).data == {"a": "é"}
    with pytest.raises(YamlError):
        load_yaml("a: é", "f.yml", max_bytes=4)


def test_alias_limit_is_configurable():
    text = "a: &x 1\nb: [*x, *x, *x]\n"
    assert load_yaml(text, "f.yml", max_aliases=3).data["b"] == [1, 1, 1]
    with pytest.raises(YamlError, match="too many YAML aliases"):
        load_yaml(text, "f.yml", max_aliases=2)


def test_load_yaml_file_reads_at_most_the_limit(tmp_path):
    path = tmp_path / "big.yml"
    path.write_bytes(b"#" * 3000)
    with pytest.raises(YamlError) as caught:
        load_yaml_file(path, "big.yml", max_bytes=1024)
    assert caught.value.problem.message == "the file is 2.9 KB; the limit is 1 KB"
    path.write_text("a: 1\n")
    assert load_yaml_file(path, "big.yml").data == {"a": 1}


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ((), ""),
        (("roles",), "roles"),
        (("roles", 2, "mentors", 0), "roles[2].mentors[0]"),
        (("checkins", "every_days"), "checkins.every_days"),
        ((0, "a"), "[0].a"),
    ],
    ids=["root", "key", "mixed", "nested-keys", "top-level-list"],
)
def test_breadcrumb(path, text):
    assert breadcrumb(path) == text


YAMLISH = st.text(alphabet=list("ab:-_ \n\t[]{},&*!|>'\"#?%@`0123.~<="), max_size=80)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=200), YAMLISH, st.binary(max_size=100)))
def test_only_yaml_error_ever_escapes(text):
    try:
        loaded = load_yaml(text, "f.yml")
    except YamlError as error:
        assert error.problem.file == "f.yml"
        assert error.problem.line is None or error.problem.line >= 1
    else:
        loaded.line(("a", 0, "b"))


@pytest.mark.parametrize(
    "text", ['name: "M\\ud800"\n', '"\\udfff": 1\n', "- ['\\ud800', \"\\ud800\"]\n"]
)
def test_a_lone_surrogate_escape_is_refused(text):
    with pytest.raises(YamlError) as caught:
        load_yaml(text, "roles.yml")
    assert caught.value.problem.line == 1
    assert "lone surrogate" in caught.value.problem.message
