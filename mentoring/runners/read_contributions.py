"""Reading contributions: four repository-wide listings per repository, and bounded review reads."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from mentoring.core.activity import Opened, Pull, Remark, Review, Snapshot

LISTINGS = ("pulls", "issues", "comments", "review-comments")


def _when(value: Any) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).astimezone(UTC)


def _login(user: Any) -> str | None:
    return user.get("login") if isinstance(user, dict) else None


def read(
    gateway: Any,
    repositories: Sequence[str],
    since: datetime,
    *,
    max_review_reads: int = 200,
    until: datetime | None = None,
) -> Snapshot:
    """What happened in ``repositories`` since ``since``.

    Per repository: the pull requests (most recently updated first, until one is older
    than ``since``), the issues updated since, the issue comments and the review
    comments updated since: four listings, 100 a page. GitHub lists no reviews
    repository-wide, so reviews take one request per pull request updated since
    ``since``, the most recently updated first, at most ``max_review_reads`` in all;
    the rest are counted in ``reviews_unread`` (and said in the report).
    Never one request per person, and never the search API (30 requests a minute).
    With ``until`` (a period read late, such as a follow-up mark), the reviews of pull
    requests opened after it are not read: none of them can fall in the period.
    """
    requests: dict[str, int] = {}
    listed: dict[str, int] = {}
    pulls: list[Pull] = []
    issues: list[Opened] = []
    remarks: list[Remark] = []
    to_review: list[tuple[str, str, int]] = []  # (updated_at, repo, number)
    for repo in repositories:
        raw, n = gateway.activity_listing(repo, "pulls", since)
        requests[f"{repo} pulls"], listed[f"{repo} pulls"] = n, len(raw)
        for p in raw:
            created = _when(p.get("created_at"))
            if created is None:
                continue
            pulls.append(
                Pull(repo, p["number"], _login(p.get("user")), created, _when(p.get("merged_at")))
            )
            if until is None or created <= until:
                to_review.append((str(p.get("updated_at")), repo, p["number"]))
        raw, n = gateway.activity_listing(repo, "issues", since)
        requests[f"{repo} issues"], listed[f"{repo} issues"] = n, len(raw)
        for i in raw:
            created = _when(i.get("created_at"))
            if i.get("pull_request") is None and created is not None:
                issues.append(Opened(repo, i["number"], _login(i.get("user")), created))
        for kind in ("comments", "review-comments"):
            raw, n = gateway.activity_listing(repo, kind, since)
            requests[f"{repo} {kind}"], listed[f"{repo} {kind}"] = n, len(raw)
            for c in raw:
                created = _when(c.get("created_at"))
                if created is not None:
                    remarks.append(Remark(repo, _login(c.get("user")), created))
    to_review.sort(reverse=True)
    reviews: list[Review] = []
    for _, repo, number in to_review[:max_review_reads]:
        for r in gateway.pull_reviews_of(repo, number):
            submitted = _when(r.get("submitted_at"))
            if submitted is not None:
                reviews.append(Review(repo, number, _login(r.get("user")), submitted))
    requests["reviews (one per pull request)"] = min(len(to_review), max_review_reads)
    return Snapshot(
        since=since,
        pulls=tuple(pulls),
        issues=tuple(issues),
        reviews=tuple(reviews),
        remarks=tuple(remarks),
        requests=requests,
        listed=listed,
        reviews_unread=max(0, len(to_review) - max_review_reads),
    )
