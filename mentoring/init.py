"""`mentoring init`: scaffold a program-only repository; `--upgrade` moves its workflows' pin.

``scaffold(options)`` is pure: it returns ``{path: text}`` for every file a new
program needs (paths relative to the repository's top, in POSIX form), rendered
from the templates in ``mentoring/scaffold/`` and the settings. ``run`` writes
them, never over an existing file. ``upgrade_text`` moves the pinned version
of this project's reusable workflows and action in one workflow file, touching
only those ``uses:`` lines.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import click
import jinja2
import yaml
from jinja2.sandbox import ImmutableSandboxedEnvironment

from mentoring import __version__
from mentoring.errors import MentoringError
from mentoring.program import form
from mentoring.program.config import Role, Settings, default_settings

# The repository the action and the reusable workflows are released from: the one
# place that names it. Adopters' workflows say `uses: ACTION_REPOSITORY/...@vX.Y.Z`.
ACTION_REPOSITORY = "mentoring-dev/mentoring"

SCAFFOLD_DIR = Path(__file__).parent / "scaffold"
FORM_SOURCE = Path(__file__).parent / "demo_program" / ".github" / "ISSUE_TEMPLATE"
WORKFLOWS = ("events", "graduation", "mentors", "nightly", "report", "validate")
DEPENDABOT_FILE = ".github/dependabot.yml"

EXAMPLE_ROLE = Role(
    id="maintainer",
    name="Maintainer",
    description="Reviews and merges pull requests, keeps the continuous integration green, "
    "and takes part in decisions about the project's direction.",
    mentors=(),
)

_REPOSITORY_RE = re.compile(
    r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}/(?!\.\.?$)[A-Za-z0-9._-]{1,100}"
)
_LOGIN_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}")
_HOST_RE = re.compile(
    r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
)
_ROOT_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]*(?:/[A-Za-z0-9_][A-Za-z0-9._-]*)*")
_BRANCH_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,99}")
# A `uses:` line of this project: the action, or one of its reusable workflows.
_USES_RE = re.compile(
    r"^(?P<head>\s*(?:-\s+)?uses:\s*[\"']?)"
    + re.escape(ACTION_REPOSITORY)
    + r"(?P<path>/[^@\s\"']*)?@(?P<ref>[^\s\"'#]+)(?P<quote>[\"']?)(?P<tail>.*)$",
    re.IGNORECASE,
)
_SHA_RE = re.compile(r"[0-9a-f]{40}")
_VERSION_COMMENT_RE = re.compile(r"#\s*v\d+(?:\.\d+)*\b")


@dataclass(frozen=True)
class Options:
    """What a new program is made of."""

    coordinators: tuple[str, ...]
    repository: str  # OWNER/NAME, for the links in the issue template config
    root: str = "."  # the program's folder inside the repository
    host: str = "github.com"
    branch: str = "main"
    version: str = __version__
    settings: Settings = field(default_factory=default_settings)
    dependabot: bool = True  # write .github/dependabot.yml


def check_root(root: str) -> str:
    """``root`` normalised (``.`` or ``a/b``); MentoringError when it leaves the repository."""
    text = root.strip().replace("\\", "/").strip("/")
    parts = [p for p in PurePosixPath(text).parts if p != "."] if text else []
    cleaned = "/".join(parts) or "."
    if cleaned != "." and not _ROOT_RE.fullmatch(cleaned):
        raise MentoringError(
            f"--root {root!r}: give a folder inside the repository, like 'mentoring' "
            "(letters, digits, '.', '_', '-', no '..')"
        )
    if ".." in parts:
        raise MentoringError(f"--root {root!r}: the folder must be inside the repository")
    return cleaned


def check_repository(repository: str) -> str:
    if not _REPOSITORY_RE.fullmatch(repository or ""):
        raise MentoringError(
            f"--repo {repository!r}: give the repository as OWNER/NAME, like astropy/mentoring"
        )
    return repository


# --------------------------------------------------------------------------- wording


_ORDINALS = {2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth", 7: "seventh"}
_ORDINALS |= {8: "eighth", 9: "ninth", 10: "tenth", 11: "eleventh", 12: "twelfth"}
_NUMBERS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}


def checkin_cadence(days: int) -> str:
    """How often check-ins come, as the handbooks say it: ``once a month`` for 30 days."""
    named = {1: "every day", 7: "once a week", 30: "once a month", 31: "once a month"}
    if days in named:
        return named[days]
    if days % 7 == 0 and days // 7 in _NUMBERS:
        return f"every {_NUMBERS[days // 7]} weeks"
    if days % 30 == 0 and days // 30 in _NUMBERS:
        return f"every {_NUMBERS[days // 30]} months"
    return f"every {days} days"


def assessment_cadence(every: int) -> str:
    """Which check-ins carry an assessment: ``every third check-in`` for 3."""
    if every == 1:
        return "every check-in"
    if every in _ORDINALS:
        return f"every {_ORDINALS[every]} check-in"
    suffix = "th" if 10 <= every % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(every % 10, "th")
    return f"every {every}{suffix} check-in"


def duration(days: int) -> str:
    """A number of days as people say it: ``two weeks`` for 14."""
    if days == 1:
        return "a day"
    if days == 7:
        return "a week"
    if days in (30, 31):
        return "a month"
    if days % 7 == 0 and days // 7 in _NUMBERS:
        return f"{_NUMBERS[days // 7]} weeks"
    return f"{days} days"


def yaml_scalar(value: object) -> str:
    """``value`` as a YAML scalar that reads back as the same text: plain when it can be."""
    text = str(value)
    if re.fullmatch(r"[A-Za-z0-9_./()-]+(?: [A-Za-z0-9_./()-]+)*", text):
        try:
            if yaml.safe_load(text) == text:
                return text
        except yaml.YAMLError:
            pass
    return json.dumps(text, ensure_ascii=False)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


# --------------------------------------------------------------------------- the scaffold


def _environment() -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(
        loader=jinja2.FileSystemLoader(str(SCAFFOLD_DIR)),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["sentence"] = _sentence
    env.filters["scalar"] = yaml_scalar
    return env


def uses_line(workflow: str, version: str = __version__) -> str:
    """The ``uses:`` value calling one of the reusable workflows at ``version``."""
    return (
        f"{ACTION_REPOSITORY}/.github/workflows/reusable-{workflow}.yml@v{version}"
        " # zizmor: ignore[unpinned-uses] a release tag that Dependabot moves"
    )


def program_paths(root: str) -> dict[str, str]:
    """Where each program file goes, relative to the repository's top."""
    prefix = "" if root == "." else f"{root}/"
    return {
        "roles": f"{prefix}roles.yml",
        "participants": f"{prefix}participants.yml",
        "settings": f"{prefix}.github/mentoring.yml",
        "mentor-handbook": f"{prefix}docs/mentor-handbook.md",
        "mentee-handbook": f"{prefix}docs/mentee-handbook.md",
    }


def watched_paths(root: str) -> list[str]:
    """The `paths:` a validate workflow watches: the program's files and the issue forms."""
    prefix = "" if root == "." else f"{root}/"
    return [
        f"{prefix}roles.yml",
        f"{prefix}participants.yml",
        f"{prefix}.github/mentoring.yml",
        f"{prefix}.github/mentoring/**",
        ".github/ISSUE_TEMPLATE/**",
        # A push that moves the workflows' pin runs validate, which caches the new install.
        ".github/workflows/mentoring-*.yml",
    ]


def scaffold(options: Options) -> dict[str, str]:
    """Every file of a new program: ``{path relative to the repository's top: text}``."""
    root = check_root(options.root)
    check_repository(options.repository)
    if not options.coordinators:
        raise MentoringError("give at least one coordinator: --coordinator LOGIN")
    for login in options.coordinators:
        if not _LOGIN_RE.fullmatch(login):
            hint = f"drop the '@': {login[1:]!r}" if login.startswith("@") else "like 'octocat'"
            raise MentoringError(f"--coordinator {login!r} is not a GitHub login — {hint}")
    if not _HOST_RE.fullmatch(options.host):
        raise MentoringError(f"{options.host!r} is not a host name like github.com")
    settings = options.settings
    prefix = "" if root == "." else f"{root}/"
    values = {
        "action_repository": ACTION_REPOSITORY,
        "version": options.version,
        "repository": options.repository,
        "repo_url": f"https://{options.host}/{options.repository}",
        "root": root,
        "prefix": prefix,
        "root_option": "" if root == "." else f" --root {root}",
        "branch": options.branch,
        "coordinators": list(options.coordinators),
        "s": settings,
        "checkin_cadence": checkin_cadence(settings.checkins.every_days),
        "assessment_cadence": assessment_cadence(settings.checkins.assessment_every),
        "escalate_after": duration(settings.checkins.escalate_after_days),
        "watched": watched_paths(root),
        "form_fields": [
            (f.name, getattr(settings.form.fields, f.name))
            for f in dataclasses.fields(settings.form.fields)
            if getattr(settings.form.fields, f.name) is not None
        ],
        "uses": lambda name: uses_line(name, options.version),
    }
    env = _environment()

    def render(name: str) -> str:
        return env.get_template(name).render(values)

    paths = program_paths(root)
    files = {
        paths["roles"]: render("roles.yml.j2"),
        paths["participants"]: render("participants.yml.j2"),
        paths["settings"]: render("mentoring.yml.j2"),
        paths["mentor-handbook"]: render("mentor-handbook.md.j2"),
        paths["mentee-handbook"]: render("mentee-handbook.md.j2"),
        form.FORM_FILE: application_form([EXAMPLE_ROLE]),
        **mentor_forms([EXAMPLE_ROLE]),
        ".github/ISSUE_TEMPLATE/config.yml": render("issue-config.yml.j2"),
    }
    for name in WORKFLOWS:
        files[f".github/workflows/mentoring-{name}.yml"] = render(
            f"workflows/mentoring-{name}.yml.j2"
        )
    if options.dependabot:
        files[DEPENDABOT_FILE] = render("dependabot.yml.j2")
    return files


def application_form(roles: list[Role]) -> str:
    """The application form, with its role options synced from ``roles`` (form.rewrite)."""
    text = (FORM_SOURCE / "application.yml").read_text(encoding="utf-8")
    return form.rewrite(text, form.options(roles))


def mentor_forms(roles: list[Role]) -> dict[str, str]:
    """The mentor registration and nomination forms (docs/mentors.md), role options synced."""
    from mentoring.program.mentor_forms import SIDE_FORMS

    return {
        where: form.rewrite(
            (FORM_SOURCE / where.rsplit("/", 1)[-1]).read_text(encoding="utf-8"),
            form.options(roles),
            field_id,
            where,
        )
        for where, field_id in SIDE_FORMS
    }


# --------------------------------------------------------------------------- upgrade


@dataclass(frozen=True)
class Upgrade:
    """One workflow file's new text, and the pins it could not move."""

    text: str
    skipped: tuple[str, ...] = ()


def upgrade_text(text: str, version: str = __version__) -> Upgrade:
    """``text`` with every ``uses: ACTION_REPOSITORY…@ref`` moved to ``v{version}``.

    Only those lines change. A pin by commit SHA is left as it is (the SHA of a
    release is not known offline) and reported in ``skipped``.
    """
    lines = text.splitlines(keepends=True)
    skipped = []
    for index, line in enumerate(lines):
        body = line.rstrip("\r\n")
        match = _USES_RE.match(body)
        if match is None:
            continue
        if _SHA_RE.fullmatch(match["ref"]):
            skipped.append(body.strip())
            continue
        tail = _VERSION_COMMENT_RE.sub(f"# v{version}", match["tail"], count=1)
        new = (
            f"{match['head']}{ACTION_REPOSITORY}{match['path'] or ''}@v{version}"
            f"{match['quote']}{tail}"
        )
        lines[index] = new + line[len(body) :]
    return Upgrade("".join(lines), tuple(skipped))


# --------------------------------------------------------------------------- the runners


def _git(directory: Path, *args: str) -> str | None:
    try:
        result = subprocess.run(
            ["git", "-C", str(directory), *args],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() if result.returncode == 0 else None


def parse_remote(url: str) -> tuple[str, str] | None:
    """(host, OWNER/NAME) of a git remote URL (https, ssh or scp-like), or None."""
    match = re.fullmatch(
        r"(?:[a-z+]+://)?(?:[^@/]+@)?(?P<host>[^/:]+)(?::\d+)?[:/](?P<repo>[^/]+/[^/]+?)(?:\.git)?/?",
        url.strip(),
    )
    if not match or not _REPOSITORY_RE.fullmatch(match["repo"]):
        return None
    return match["host"], match["repo"]


def repository_from_git(directory: Path) -> tuple[str, str] | None:
    """(host, OWNER/NAME) of the ``origin`` remote of the repository at ``directory``."""
    url = _git(directory, "remote", "get-url", "origin")
    return parse_remote(url) if url else None


def default_branch(directory: Path) -> str:
    branch = _git(directory, "symbolic-ref", "--short", "HEAD")
    return branch if branch and _BRANCH_RE.fullmatch(branch) else "main"


def run(
    directory: Path,
    coordinators: tuple[str, ...],
    repository: str | None,
    root: str,
    echo: Callable[[str], None] = click.echo,
) -> int:
    """`mentoring init DIR`: write the scaffold; exit 1, writing nothing, if a file exists."""
    host = "github.com"
    if repository is None:
        found = repository_from_git(directory)
        if found is None:
            raise MentoringError(
                f"{directory}: no GitHub remote 'origin' found — give the repository with "
                "--repo OWNER/NAME"
            )
        host, repository = found
    options = Options(
        coordinators=tuple(coordinators),
        repository=check_repository(repository),
        root=check_root(root),
        host=host,
        branch=default_branch(directory),
        dependabot=not (directory / DEPENDABOT_FILE).exists(),
    )
    files = scaffold(options)
    directory.mkdir(parents=True, exist_ok=True)
    existing = [path for path in files if (directory / path).exists()]
    if existing:
        echo(f"mentoring init: {len(existing)} of these files exist already; nothing was written.")
        for path in files:
            echo(f"  {path}{'   (exists)' if path in existing else ''}")
        echo("Move the existing files away, or run init in an empty directory.")
        return 1
    for path, text in files.items():
        target = directory / path
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("x", encoding="utf-8", newline="\n") as out:  # never overwrites
            out.write(text)
        echo(f"  wrote {path}")
    if not options.dependabot:
        echo(
            f"  kept your {DEPENDABOT_FILE}: add the github-actions ecosystem to it so the "
            "workflows' pin is kept up to date (docs/adopting.md)"
        )
    where = "" if options.root == "." else f" --root {options.root}"
    echo(
        f"A mentoring program for {options.repository}, using {ACTION_REPOSITORY} "
        f"v{options.version}.\n"
        f"Next: describe your roles in {program_paths(options.root)['roles']}, run "
        f"`mentoring{where} sync-form` and `mentoring{where} validate`, then commit and push."
    )
    return 0


def run_upgrade(directory: Path, echo: Callable[[str], None] = click.echo) -> int:
    """`mentoring init --upgrade`: move the workflows' pin to this version, print the diff."""
    folder = directory / ".github" / "workflows"
    workflows = sorted([*folder.glob("*.yml"), *folder.glob("*.yaml")]) if folder.is_dir() else []
    changed: dict[Path, str] = {}
    found = False
    for path in workflows:
        old = path.read_text(encoding="utf-8")
        result = upgrade_text(old)
        found = found or result.text != old or bool(result.skipped) or _mentions(old)
        for line in result.skipped:
            echo(
                f"{path.relative_to(directory)}: pinned by commit SHA, left as it is: {line}\n"
                f"  pin v{__version__}'s commit by hand, or let Dependabot move it"
            )
        if result.text != old:
            changed[path] = result.text
            echo(_diff(old, result.text, str(path.relative_to(directory))).rstrip("\n"))
    if not found:
        raise MentoringError(
            f"{folder}: no workflow uses {ACTION_REPOSITORY} — run `mentoring init` first"
        )
    for path, text in changed.items():
        form.write_atomically(path, text)
    if changed:
        echo(f"Moved the pin to {ACTION_REPOSITORY} v{__version__} in {len(changed)} file(s).")
    else:
        echo(f"The workflows already use {ACTION_REPOSITORY} v{__version__}.")
    return 0


def _mentions(text: str) -> bool:
    return ACTION_REPOSITORY.lower() in text.lower()


def _diff(old: str, new: str, name: str) -> str:
    return "".join(
        difflib.unified_diff(
            old.splitlines(keepends=True), new.splitlines(keepends=True), f"a/{name}", f"b/{name}"
        )
    )
