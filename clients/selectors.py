"""Reads of clients and their health data, and who may read what."""

import datetime
import re

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from clients.evaluation import evaluate_screening
from clients.links import LinkGone, LinkInvalid, nonce_from
from clients.models import Client, ClientLink, HealthDataAccess, HealthScreening, ScreeningClearance
from clients.outcome import ScreeningOutcome, Severity
from clients.search import fold, phone_prefix
from routines.models import BodyArea, area_words
from salon.errors import Forbidden
from salon.models import Salon
from salon.roles import Role, has_role, sees_whole_salon


def client_search(*, salon: Salon, query: str = "", include_archived: bool = False) -> QuerySet[Client]:
    """Clients of the business (every location knows them) whose name, family
    name, phone or email starts with the query; a phone number is read as the
    location's country's. Each branch is a prefix match on an indexed,
    normalised column."""
    clients = Client.objects.filter(business_id=salon.business_id)
    if not include_archived:
        clients = clients.filter(archived=False)
    query = query.strip()
    if not query:
        return clients
    if "@" in query:
        return clients.filter(email__startswith=query.lower())
    prefix = phone_prefix(query, region=salon.phone_region)
    if prefix:
        return clients.filter(phone__startswith=prefix)
    folded = fold(query)
    return clients.filter(Q(name_key__startswith=folded) | Q(family_key__startswith=folded))


def client_location(client: Client) -> Salon | None:
    """The location a client-facing page speaks for: where the client's next
    session is, else their last one, else the business's first location."""
    now = timezone.now()
    upcoming = Salon.objects.filter(rooms__appointments__client=client, rooms__appointments__start__gte=now)
    earlier = Salon.objects.filter(rooms__appointments__client=client, rooms__appointments__start__lt=now)
    return (
        upcoming.order_by("rooms__appointments__start").first()
        or earlier.order_by("-rooms__appointments__start").first()
        or Salon.objects.filter(business_id=client.business_id).order_by("name", "pk").first()
    )


def client_duplicates(*, client: Client) -> QuerySet[Client]:
    """Other clients of the business with the same email or phone."""
    same = Q()
    if client.email:
        same |= Q(email=client.email)
    if client.phone:
        same |= Q(phone=client.phone)
    if not same:
        return Client.objects.none()
    return Client.objects.filter(same, business_id=client.business_id).exclude(pk=client.pk)


def screening_latest(client: Client) -> HealthScreening | None:
    return client.screenings.order_by("-created_at", "-pk").first()


# Word beginnings that suggest health information, in English and German,
# and short words that must match whole ("clot", not "clothes").
HEALTH_WORDS = (
    "allerg", "bandscheib", "blood", "blut", "cancer", "diabet", "entzünd", "fractur", "inflam", "injur", "krebs",
    "medic", "medikament", "osteopor", "pregnan", "schmerz", "schwanger", "surgery", "thrombos", "verletz",
    "wound", "wunde",
)  # fmt: skip
HEALTH_WHOLE_WORDS = {"clot", "clots", "disc", "discs", "pain", "pains", "painful", "bruch", "operation"}


def health_words_in(text: str) -> list[str]:
    """Words of ``text`` that look like health information; the front desk
    reads notes, so such words are pointed out (not refused)."""
    words = re.findall(r"\w+", text.casefold())
    return sorted({word for word in words if word in HEALTH_WHOLE_WORDS or word.startswith(HEALTH_WORDS)})


def front_desk_notes_warning(client: Client) -> str:
    found = health_words_in(client.front_desk_notes)
    if not found:
        return ""
    return (
        f"These notes are read at the front desk: keep health information in the screening (found: {', '.join(found)})."
    )


def therapist_decisions(screening: HealthScreening | None, *, now=None) -> tuple[frozenset[str], frozenset[str]]:
    """What therapists decided on a screening: the rules cleared and still in
    force, and the areas they marked to keep away from (marking the areas
    also settles a wound whose place the client did not give)."""
    if screening is None:
        return frozenset(), frozenset()
    now = now or timezone.now()
    decisions = list(screening.clearances.all())
    marks = [decision for decision in decisions if decision.rule == ScreeningClearance.AREAS_MARKED]
    cleared = {decision.rule for decision in decisions if decision not in marks and decision.is_in_force(now)}
    if marks:
        cleared.add("skin_injuries")
    return frozenset(cleared), frozenset(area for mark in marks for area in mark.areas)


def screening_decisions(screening: HealthScreening | None) -> list:
    """Who cleared what and marked which areas on a screening, and when, in words."""
    if screening is None:
        return []
    decisions = list(screening.clearances.select_related("cleared_by"))
    for decision in decisions:
        decision.area_labels = [area_words(area) for area in BodyArea.values if area in decision.areas]
        decision.rule_label = decision.rule.replace("_", " ")
    return decisions


def _evaluate(client: Client, screening: HealthScreening | None, today) -> ScreeningOutcome:
    cleared, marked = therapist_decisions(screening)
    return evaluate_screening(
        screening,
        cleared_rules=cleared,
        marked_areas=marked,
        valid_months=client.business.screening_valid_months,
        today=today,
        zone=client.business.zone,
    )


def client_outcome(client: Client, *, today: datetime.date | None = None) -> ScreeningOutcome:
    """The evaluated outcome of the client's latest screening, with what therapists decided on it."""
    return _evaluate(client, screening_latest(client), today)


FLAG_LABELS = {
    Severity.BLOCKED: ("blocked_until_cleared", "Back massage blocked until a therapist clears it"),
    Severity.REVIEW: ("needs_therapist_review", "Needs therapist review"),
}


def outcome_flags(outcome: ScreeningOutcome) -> list[dict]:
    """What the front desk may know: flags without health details."""
    flags = []
    for severity, (code, label) in FLAG_LABELS.items():
        if any(finding.severity == severity for finding in outcome.findings):
            flags.append({"code": code, "label": label})
    return flags


def therapist_sessions(user) -> QuerySet:
    """The therapist's sessions (past or upcoming, not cancelled): what makes
    a client theirs. ``sessions.Appointment`` is reached through the reverse
    relation, so clients does not import sessions (it sits above)."""
    Appointment = Client._meta.get_field("appointments").related_model
    return Appointment.objects.filter(therapist__user=user).exclude(status=Appointment.Status.CANCELLED)


def therapist_has_session_with(user, client: Client) -> bool:
    """Whether the therapist has a session (past or upcoming, not cancelled) with the client."""
    return therapist_sessions(user).filter(client=client).exists()


def can_read_health_answers(user, client: Client) -> bool:
    if has_role(user, Role.MANAGER):
        return True
    return has_role(user, Role.THERAPIST) and therapist_has_session_with(user, client)


def clients_visible_to(user, clients: QuerySet[Client]) -> QuerySet[Client]:
    """Of ``clients``, those ``user`` may see: all for the front desk and
    managers; for a therapist, the clients of their own sessions (the rule of
    the screening answers), filtered in the query."""
    if sees_whole_salon(user):
        return clients
    if has_role(user, Role.THERAPIST):
        return clients.filter(Exists(therapist_sessions(user).filter(client=OuterRef("pk"))))
    return clients.none()


def may_see_client(user, client: Client) -> bool:
    if sees_whole_salon(user):
        return True
    return has_role(user, Role.THERAPIST) and therapist_has_session_with(user, client)


def client_for(*, user, client: Client) -> Client:
    """The client, when ``user`` may see them; else Forbidden (403)."""
    if not may_see_client(user, client):
        raise Forbidden("This client has no session with you.")
    return client


def may_enter_screening(user, client: Client) -> bool:
    """Who may file a screening on the client's behalf: the front desk (a form
    the client filled on paper), managers and the client's own therapists;
    the same people who may see the client."""
    return may_see_client(user, client)


def client_visits(*, user, client: Client) -> QuerySet:
    """The client's sessions ``user`` may see, newest first: a therapist
    (without a desk role) sees only their own."""
    visits = client.appointments.select_related("therapist", "room__salon", "routine").order_by("-start")
    return visits if sees_whole_salon(user) else visits.filter(therapist__user=user)


def screenings_visible_to(user, client: Client) -> QuerySet[HealthScreening]:
    """The screenings ``user`` may read: filtered in the query, not per object."""
    if not can_read_health_answers(user, client):
        return HealthScreening.objects.none()
    return client.screenings.select_related("entered_by").prefetch_related("clearances")


def client_link_usable(*, link_id: int | None = None, token: str = "", purpose: str) -> ClientLink:
    """The link named by a token (or, once the token is in the session, by its
    id), if it is genuine, unexpired and unused; else LinkRefused."""
    links = ClientLink.objects.select_related("client__business").filter(purpose=purpose)
    link = (
        links.filter(pk=link_id).first() if link_id else links.filter(nonce=nonce_from(token, purpose=purpose)).first()
    )
    if link is None:
        raise LinkInvalid()
    if link.used_at is not None:
        raise LinkGone("This link has been used already.", code="link_used")
    if link.expires_at <= timezone.now():
        raise LinkGone("This link has expired.", code="link_expired")
    return link


def latest_screenings(clients: list[Client]) -> dict[int, HealthScreening]:
    """The latest screening of each client, with clearances, in two queries."""
    latest: dict[int, HealthScreening] = {}
    screenings = HealthScreening.objects.filter(client_id__in={client.pk for client in clients})
    for screening in screenings.order_by("created_at", "pk").prefetch_related("clearances"):
        latest[screening.client_id] = screening
    return latest


def client_outcomes(
    clients: list[Client],
    *,
    screenings: dict[int, HealthScreening] | None = None,
    today: datetime.date | None = None,
) -> dict[int, ScreeningOutcome]:
    """Outcomes for many clients from their latest screenings (read in two
    queries unless given), for pages that list many sessions."""
    latest = latest_screenings(clients) if screenings is None else screenings
    return {client.pk: _evaluate(client, latest.get(client.pk), today) for client in clients}


def health_access_log(*, query: str = "", action: str = "") -> QuerySet[HealthDataAccess]:
    """Who read or wrote clients' health data, newest first; ``query`` finds
    a username or a client id, ``action`` one kind of access."""
    entries = HealthDataAccess.objects.order_by("-at", "-pk")
    if query:
        entries = entries.filter(Q(actor__icontains=query) | Q(client_label=query))
    if action:
        entries = entries.filter(action=action)
    return entries
