"""Message templates rendered within bounds: a hostile override is reported, never run for long."""

from __future__ import annotations

import threading
from pathlib import Path

import jinja2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mentoring.errors import MentoringError
from mentoring.program import templates
from mentoring.program.templates import Messages, RenderError, render_bounded
from mentoring.runners.run_validate import problems
from tests.support import program_copy


def render(source: str, seconds: float = 0.3, **variables) -> str:
    return render_bounded(templates._compile(source), variables, seconds)


REFUSED = [
    pytest.param("{{ 99999999**99999999 }}", "a power over 4,096 bits", id="big power"),
    pytest.param(
        "{{ (10**1000) * (10**1000) * 10**1000 * 10**1000 * 10**1000 }}", "product", id="product"
    ),
    pytest.param("{{ 'x' * 10**9 }}", "a repetition", id="string repetition"),
    pytest.param("{{ [1, 2] * 10**8 }}", "a repetition", id="list repetition"),
    pytest.param("{{ range(10**9)|list }}", "over 65,536", id="huge range"),
    pytest.param("{{ range(20000)|list }}", "a range of more than 10,000", id="big range"),
    pytest.param(
        "{% set ns = namespace(s='x') %}{% for i in range(40) %}"
        "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}",
        "a text over",
        id="doubling by ~",
    ),
    pytest.param(
        "{% set ns = namespace(s='x') %}{% for i in range(40) %}"
        "{% set ns.s = ns.s + ns.s %}{% endfor %}{{ ns.s }}",
        "a value over",
        id="doubling by +",
    ),
    pytest.param("{{ [10**1200] * 100000 }}", "a repetition", id="repeated big numbers"),
    pytest.param("{{ 'x'|center(1000000000) }}", "over 65,536", id="filter width"),
    pytest.param("{{ 'x'.ljust(10**9) }}", "over 65,536", id="method width"),
    pytest.param("{{ 'x'|indent(100000) }}", "an indent of more than 100", id="indent"),
    pytest.param("{{ '%999999999d' % 1 }}", "a format with a width", id="% width"),
    pytest.param("{{ '%*d' % (10**8, 1) }}", "over 65,536", id="% star width"),
    pytest.param("{{ '{:>999999999}'.format(1) }}", "a format with a width", id="format width"),
    pytest.param("{{ '{:>{}}'.format(1, 10**8) }}", "over 65,536", id="format nested width"),
    pytest.param("{{ '%0999999999d'|format(1) }}", "a format with a width", id="format filter"),
    pytest.param(
        "{{ range(10000)|map('center', 60000)|join }}", "a sequence over", id="map then join"
    ),
    pytest.param(
        "{{ ('x' * 100000).replace('', 'y' * 1000) }}", "too large to combine", id="replace"
    ),
    pytest.param("{{ 'a\tb'.expandtabs(60000) }}", "expandtabs", id="expandtabs"),
    pytest.param("{{ 2.0 ** 100000 }}", "cannot be computed", id="float overflow"),
    pytest.param("{{ 1 // 0 }}", "cannot be computed", id="division by zero"),
    pytest.param(
        "{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}",
        "rendering takes more than 0.3 seconds",
        id="nested loops",
    ),
    pytest.param(
        "{% set l = range(10000)|list %}{% for a in l %}{% for b in l %}{% for c in l %}"
        "{% endfor %}{% endfor %}{% endfor %}",
        "rendering takes more than 0.3 seconds",
        id="loops that call nothing",
    ),
    pytest.param("{{ ''.__class__ }}", "unsafe", id="private attribute"),
    pytest.param("{{ 1" + "0" * 5000 + " }}", "cannot be read", id="a 5,000-digit literal"),
    pytest.param("{{ 1" + "[" * 3000 + "]" * 3000 + " }}", "too deeply", id="deep brackets"),
]


@pytest.mark.parametrize(("source", "message"), REFUSED)
def test_hostile_templates_are_refused_quickly(source, message):
    with pytest.raises(RenderError, match=message):
        render(source)


ALLOWED = [
    pytest.param("{{ 2 ** 10 }}", "1024", id="small power"),
    pytest.param("{{ '-' * 20 }}", "-" * 20, id="a rule"),
    pytest.param("{{ 'hello %s' % name }}", "hello ada", id="% format"),
    pytest.param("{{ '{} is #{}'.format(name, 123456789) }}", "ada is #123456789", id="format"),
    pytest.param("{{ n }}", "12345678901", id="a big id"),
    pytest.param("{{ n|string }}", "12345678901", id="a big id through a filter"),
    pytest.param("{{ range(3)|join(', ') }}", "0, 1, 2", id="range"),
    pytest.param("{{ text|truncate(10) }}", "aaaaaaa...", id="truncate"),
    pytest.param("{{ name|center(7) }}", "  ada  ", id="center"),
]


@pytest.mark.parametrize(("source", "expected"), ALLOWED)
def test_ordinary_templates_render(source, expected):
    assert render(source, name="ada", n=12345678901, text="a" * 40) == expected


def test_a_loop_is_stopped_outside_the_main_thread_too():
    found: list[BaseException] = []

    def work():
        try:
            render("{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}")
        except RenderError as exc:
            found.append(exc)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(30)
    assert [str(e) for e in found] == ["rendering takes more than 0.3 seconds"]


def test_the_line_is_the_templates_own():
    source = "Hello\n\n{{ name }}\n{{ 'x' * 10**9 }}\n"
    with pytest.raises(RenderError) as raised:
        render(source, name="ada")
    assert raised.value.line == 4


# --------------------------------------------------------------------------- generated

NUMBERS = st.integers(-(10**12), 10**12) | st.sampled_from([0, 1, 2, 10, 99999999, 10**9])
STRINGS = st.sampled_from(["'x'", "'ab'", "''", "'%s'", "'%999999999d'", "'{:>999999}'", "'\\t'"])
ATOMS = st.one_of(
    NUMBERS.map(str),
    STRINGS,
    st.just("name"),
    st.just("[1, 2, 3]"),
    NUMBERS.map(lambda n: f"range({n})"),
)
BINARY = st.sampled_from(["**", "*", "+", "%", "~", "//", "-"])
FILTERS = st.sampled_from(
    [
        "list", "join", "string", "length", "upper", "center({})", "indent({})", "truncate({})",
        "format({})", "replace('x', {})", "batch({})", "map('center', {})", "join({})", "sum",
        "wordwrap({})", "round({})",
    ]
)  # fmt: skip
METHODS = st.sampled_from(["ljust({})", "center({})", "zfill({})", "format({})", "split()"])


EXPRESSIONS = st.recursive(
    ATOMS,
    lambda inner: st.one_of(
        st.tuples(inner, BINARY, inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(inner, FILTERS, inner).map(lambda t: f"({t[0]}|{t[1].format(t[2])})"),
        st.tuples(inner, METHODS, inner).map(lambda t: f"({t[0]}).{t[1].format(t[2])}"),
    ),
    max_leaves=8,
)


@settings(max_examples=150, deadline=None)
@given(EXPRESSIONS, st.booleans())
def test_generated_expressions_render_within_bounds_or_are_refused(expression, loop):
    source = f"{{{{ {expression} }}}}"
    if loop:
        inner = f"{{% for j in {expression} %}}.{{% endfor %}}"
        source = f"{{% for i in {expression} %}}{inner}{{% endfor %}}"
    try:
        text = render(source, seconds=0.05, name="ada")
    except (RenderError, jinja2.TemplateError):
        return
    assert len(text) <= templates.MAX_SIZE


# --------------------------------------------------------------------------- validate and runs


def override(root: Path, name: str, body: str) -> Path:
    folder = root / templates.OVERRIDE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    builtin = (templates.BUILTIN_DIR / f"{name}.md").read_text(encoding="utf-8")
    front = builtin[: builtin.index("---", 3) + 4]
    path = folder / f"{name}.md"
    path.write_text(front + body, encoding="utf-8")
    return path


def test_validate_reports_a_slow_template_with_its_file_and_line(tmp_path, monkeypatch):
    monkeypatch.setattr(templates, "MAX_SECONDS", 0.3)
    root = program_copy(tmp_path)
    path = override(
        root,
        "nudge",
        "Hello\n{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}\n",
    )
    front = path.read_text().splitlines().index("Hello") + 1
    found = [p for p in problems(root) if p.file.endswith("nudge.md")]
    assert [(p.line, p.message) for p in found] == [
        (front + 1, "rendering takes more than 0.3 seconds")
    ]


def test_validate_reports_a_power_with_its_line(tmp_path):
    root = program_copy(tmp_path)
    path = override(root, "nudge", "Hi\n\n{{ 99999999**99999999 }}\n")
    line = path.read_text().splitlines().index("{{ 99999999**99999999 }}") + 1
    found = [str(p) for p in problems(root) if p.file.endswith("nudge.md")]
    assert found == [
        f".github/mentoring/messages/nudge.md:{line}: template: unsafe: a power over 4,096 bits"
        f" — templates may only format the values they are given, within "
        f"{templates.MAX_SIZE:,} characters and {templates.MAX_SECONDS:g} seconds"
    ]


def test_a_run_that_renders_it_stops_with_one_line(tmp_path):
    root = program_copy(tmp_path)
    override(root, "nudge", "{{ 'x' * 10**9 }}\n")
    messages = Messages(root)
    example = messages._templates["nudge"].example
    with pytest.raises(MentoringError, match=r"nudge\.md:\d+: the message 'nudge' cannot be"):
        messages.render("nudge", **example)


def test_an_oversized_template_file_is_refused_on_line_1(tmp_path):
    root = program_copy(tmp_path)
    override(root, "nudge", "x" * (templates.MAX_SOURCE + 1))
    found = [p for p in Messages(root).problems if p.file.endswith("nudge.md")]
    assert [(p.line, p.message.split(";")[1]) for p in found] == [
        (1, f" the limit is {templates.MAX_SOURCE:,}")
    ]


def test_an_example_blown_up_by_aliases_is_refused(tmp_path):
    root = program_copy(tmp_path)
    folder = root / templates.OVERRIDE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 10) + "]" for n in range(1, 9)]
    bomb = "\n".join("    " + line for line in lines)
    (folder / "nudge.md").write_text(
        f"---\ndescription: d\nvariables: []\nexample:\n  bomb:\n{bomb}\n---\n{{{{ 1 }}}}\n",
        encoding="utf-8",
    )
    found = [(p.line, p.key, p.message) for p in problems(root) if p.file.endswith("nudge.md")]
    assert found == [(1, "front matter.example", "is over 131,072 characters or items")]


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="{}%#()[]|~*+-/.,'\"0123456789 xnameforinset=endrg", max_size=60))
def test_any_source_text_compiles_and_renders_or_is_one_problem(source):
    try:
        text = render(source, seconds=0.05, name="ada")
    except (RenderError, jinja2.TemplateError):
        return
    assert len(text) <= templates.MAX_SIZE


def test_a_long_message_is_cut_not_refused():
    text = render("{% for i in range(10000) %}{{ 'x' * 100 }}{% endfor %}")
    assert len(text) == templates.MAX_SIZE


def test_a_run_cuts_a_long_override_to_fit_github(tmp_path):
    root = program_copy(tmp_path)
    override(root, "nudge", "{% for i in range(10000) %}{{ 'x' * 100 }}{% endfor %}\n")
    messages = Messages(root)
    text = messages.render("nudge", **messages._templates["nudge"].example)
    assert len(text) < templates.MAX_BODY and text.endswith("(cut to fit GitHub's size limit)\n")
