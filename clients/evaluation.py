"""A screening evaluated as a whole: every rule of ``clients/rules.py``, what
therapists decided on it, the fever and expiry checks that need the salon's
day, combined conservatively into one ``ScreeningOutcome``."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clients.models import HealthScreening
from clients.outcome import Finding, ScreeningOutcome, Severity
from clients.rules import EVERYWHERE, RULES, day_words, spine
from routines.models import PRESSURE_RANK, BodyArea, area_words


def _lowest(limits) -> str | None:
    present = [limit for limit in limits if limit]
    return min(present, key=PRESSURE_RANK.__getitem__) if present else None


def _reasons_for_limits(parts: list[ScreeningOutcome], caps: dict[str, str], most: str | None) -> dict[str, str]:
    """For each limit that holds, the reasons of the parts that set it that low."""
    reasons: dict[str, list[str]] = {}
    for part in parts:
        for area, limit in part.pressure_caps.items():
            if limit == caps.get(area) and part.limit_reasons.get(area):
                reasons.setdefault(area, []).append(part.limit_reasons[area])
        if most and part.max_pressure == most and part.limit_reasons.get(EVERYWHERE):
            reasons.setdefault(EVERYWHERE, []).append(part.limit_reasons[EVERYWHERE])
    return {key: "; ".join(dict.fromkeys(texts)) for key, texts in reasons.items()}


def combine(parts: list[ScreeningOutcome]) -> ScreeningOutcome:
    caps: dict[str, str] = {}
    for part in parts:
        for area, limit in part.pressure_caps.items():
            caps[area] = _lowest([caps.get(area), limit])
    most = _lowest(part.max_pressure for part in parts)
    return ScreeningOutcome(
        findings=tuple(finding for part in parts for finding in part.findings),
        blocked_areas=frozenset().union(*(part.blocked_areas for part in parts)),
        avoid_areas=frozenset().union(*(part.avoid_areas for part in parts)),
        pressure_caps=caps,
        max_pressure=most,
        limit_reasons=_reasons_for_limits(parts, caps, most),
        position=next((part.position for part in parts if part.position), None),
        qualification=next((part.qualification for part in parts if part.qualification), None),
        supports=tuple(support for part in parts for support in part.supports),
        oil=next((part.oil for part in parts if part.oil), ""),
        pain_points=tuple(point for part in parts for point in part.pain_points),
        precautions=tuple(line for part in parts for line in part.precautions),
    )


def evaluate_screening(
    screening: HealthScreening | None,
    *,
    cleared_rules: frozenset[str] = frozenset(),
    marked_areas: frozenset[str] = frozenset(),
    valid_months: int = 12,
    today: datetime.date | None = None,
    zone: datetime.tzinfo = datetime.UTC,
) -> ScreeningOutcome:
    """The outcome of a client's latest screening. No screening at all is
    itself a finding: a therapist must ask before the session. Dates are the
    salon's (``zone``): a screening answered late on the last valid evening
    is still valid that evening, whatever the server's zone."""
    if screening is None:
        return combine(
            [
                spine(None, cleared_rules),
                ScreeningOutcome(
                    findings=(
                        Finding("no_screening", Severity.REVIEW, _("No health screening yet: ask before starting.")),
                    )
                ),
            ]
        )
    parts = [check(screening, cleared_rules) for _, check in RULES]
    parts.append(_fever(screening, today or timezone.now().astimezone(zone).date(), zone))
    if marked_areas:
        where = ", ".join(area_words(area) for area in BodyArea.values if area in marked_areas)
        parts.append(
            ScreeningOutcome(
                avoid_areas=frozenset(marked_areas),
                findings=(
                    Finding(
                        "areas_marked",
                        Severity.INFO,
                        _("A therapist marked: keep away from the %(areas)s.") % {"areas": where},
                    ),
                ),
            )
        )
    today = today or timezone.now().astimezone(zone).date()
    answered = (screening.confirmed_at or screening.created_at).astimezone(zone).date()
    if _months_between(answered, today) >= valid_months:
        parts.append(
            ScreeningOutcome(
                findings=(
                    Finding(
                        "screening_expired",
                        Severity.REVIEW,
                        ngettext(
                            "Screening older than %(months)s month: the client confirms or fills a new one.",
                            "Screening older than %(months)s months: the client confirms or fills a new one.",
                            valid_months,
                        )
                        % {"months": valid_months},
                    ),
                )
            )
        )
    return combine(parts)


def _fever(screening: HealthScreening, today: datetime.date, zone) -> ScreeningOutcome:
    """Fever or an acute illness: no massage that day; later, ask whether the
    client is well again (common practice)."""
    if not screening.fever_or_acute_illness:
        return ScreeningOutcome()
    answered = (screening.confirmed_at or screening.created_at).astimezone(zone).date()
    if answered == today:
        return ScreeningOutcome(
            blocked_areas=frozenset(BodyArea.values),
            findings=(
                Finding(
                    "fever", Severity.BLOCKED, _("Fever or acute illness today: no massage today; rebook when well.")
                ),
            ),
        )
    return ScreeningOutcome(
        findings=(
            Finding(
                "fever",
                Severity.REVIEW,
                _("Reported fever or acute illness on %(day)s: ask if well again.")
                % {"day": day_words(answered, year=False)},
            ),
        )
    )


def _months_between(start: datetime.date, end: datetime.date) -> int:
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - (1 if end.day < start.day else 0)
