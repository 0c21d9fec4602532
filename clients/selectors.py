"""Reads of clients and their health data, and who may read what."""

import datetime
import re
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clients.evaluation import evaluate_screening
from clients.links import LinkGone, LinkInvalid, nonce_from
from clients.models import Client, ClientLink, HealthDataAccess, HealthScreening, ScreeningClearance
from clients.outcome import ScreeningOutcome, Severity
from clients.search import fold, phone_prefix
from routines.models import BodyArea, area_words
from salon.compiled import CompiledForIds, CompiledQuery, prefetched_children
from salon.errors import Conflict, Forbidden
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
    """Other clients of the business who may be the same person: the same
    email (stored lower-case), the same phone (stored E.164), or the same
    name (accents and case folded) and date of birth. Archived and merged
    records are left out."""
    same = Q()
    if client.email:
        same |= Q(email=client.email)
    if client.phone:
        same |= Q(phone=client.phone)
    if client.date_of_birth and client.name_key:
        same |= Q(name_key=client.name_key, date_of_birth=client.date_of_birth)
    if not same:
        return Client.objects.none()
    others = Client.objects.filter(business_id=client.business_id, archived=False, merged_into__isnull=True)
    return others.filter(same).exclude(pk=client.pk)


def duplicate_reasons(client: Client, other: Client) -> list[str]:
    """Why ``other`` may be ``client``, in words."""
    reasons = []
    if client.email and other.email == client.email:
        reasons.append(_("same email"))
    if client.phone and other.phone == client.phone:
        reasons.append(_("same phone"))
    if client.date_of_birth and (other.name_key, other.date_of_birth) == (client.name_key, client.date_of_birth):
        reasons.append(_("same name and date of birth"))
    return reasons


def client_relations() -> list[tuple[str, type, str]]:
    """Every foreign key to Client in every installed app, hidden ones
    (``related_name="+"``) too, as ("app_label.model.field", model, field)."""
    relations = [
        (f"{related.related_model._meta.label_lower}.{related.field.name}", related.related_model, related.field.name)
        for related in Client._meta.get_fields(include_hidden=True)
        if related.is_relation and related.auto_created and not related.concrete
    ]
    return sorted(relations, key=lambda relation: relation[0])


def client_merge_refusal(*, keep: Client, merge: Client) -> None:
    """Refuse (409, with a code) a merge of ``merge`` into ``keep`` that
    cannot be: into itself, across businesses, of a record merged or erased
    already, or into an archived record."""
    if keep.pk == merge.pk:
        raise Conflict(_("A record cannot be merged into itself."), code="merge_same_client")
    if keep.business_id != merge.business_id:
        raise Conflict(_("These records belong to different businesses."), code="merge_other_business")
    for client in (keep, merge):
        if client.merged_into_id:
            raise Conflict(
                _("%(name)s (client %(number)s) was merged into client %(into)s already.")
                % {"name": client.full_name, "number": client.pk, "into": client.merged_into_id},
                code="client_already_merged",
            )
        if client.erased_at:
            raise Conflict(_("Client %(number)s has been erased.") % {"number": client.pk}, code="client_erased")
    if keep.archived:
        raise Conflict(
            _("%(name)s is archived; restore the record to keep, or keep the other one.") % {"name": keep.full_name},
            code="client_archived",
        )


# Fields of the kept record that the merged one fills when they are empty.
MERGE_FILLS = ["email", "phone", "date_of_birth", "front_desk_notes", "language"]


def client_merge_fills(*, keep: Client, merge: Client) -> list[str]:
    """The fields of ``keep`` that merging ``merge`` into it would fill: empty there, given here."""
    return [field for field in MERGE_FILLS if not getattr(keep, field) and getattr(merge, field)]


def client_merge_counts(clients: list[Client]) -> dict[int, dict[str, int]]:
    """Visits, screenings and messages of each client, in one query, for the
    merge page (counts only: the answers stay with who may read them)."""
    counted = Client.objects.filter(pk__in=[client.pk for client in clients]).annotate(
        visit_count=Count("appointments", distinct=True),
        screening_count=Count("screenings", distinct=True),
        link_count=Count("links", distinct=True),
    )
    return {
        row.pk: {"visits": row.visit_count, "screenings": row.screening_count, "links": row.link_count}
        for row in counted
    }


def client_consent_history(client: Client, *, limit: int = 20) -> list:
    """The latest changes of the client's consents, newest first, with who made them."""
    return list(client.consent_changes.select_related("by")[:limit])


def client_intake_messages(client: Client, *, limit: int = 3) -> list:
    """The latest messages that carried (or will carry) the intake link, with
    the location of the session each went with (for its time zone)."""
    Notification = Client._meta.get_field("notifications").related_model
    messages = client.notifications.filter(kind=Notification.Kind.INTAKE_REQUEST).exclude(
        status=Notification.Status.CANCELLED
    )
    return list(messages.select_related("appointment__room__salon").order_by("-due_at", "-pk")[:limit])


@dataclass
class Visits:
    """A client's sessions as the client page shows them."""

    upcoming: list
    past: list
    upcoming_count: int
    past_count: int
    no_shows: int
    late_cancellations: int
    session_ahead: bool  # one booked (or checked in) and not yet started

    def __iter__(self):
        """The sessions shown, coming ones first."""
        return iter(self.upcoming + self.past)


def client_visit_summary(*, user, client: Client, now: datetime.datetime | None = None, limit: int = 20) -> Visits:
    """The next and the latest sessions ``user`` may see (at most ``limit``
    each, soonest and latest first) and the counts of all of them, no-shows
    and late cancellations among them: three queries however many there are."""
    now = now or timezone.now()
    Appointment = Client._meta.get_field("appointments").related_model
    visits = client_visits(user=user, client=client)
    counts = visits.order_by().aggregate(
        upcoming=Count("pk", filter=Q(start__gte=now)),
        past=Count("pk", filter=Q(start__lt=now)),
        no_shows=Count("pk", filter=Q(status=Appointment.Status.NO_SHOW)),
        late=Count("pk", filter=Q(status=Appointment.Status.CANCELLED, cancelled_late=True)),
    )
    upcoming = list(visits.filter(start__gte=now).order_by("start", "pk")[:limit])
    return Visits(
        upcoming=upcoming,
        past=list(visits.filter(start__lt=now)[:limit]),
        upcoming_count=counts["upcoming"],
        past_count=counts["past"],
        no_shows=counts["no_shows"],
        late_cancellations=counts["late"],
        session_ahead=any(visit.status in Appointment.NOT_STARTED for visit in upcoming),
    )


def client_session_ahead(client: Client, *, now: datetime.datetime | None = None):
    """The client's next session not yet started, or None: the one the
    intake step is for (the link is sent with it)."""
    Appointment = Client._meta.get_field("appointments").related_model
    ahead = client.appointments.filter(status__in=Appointment.NOT_STARTED, start__gt=now or timezone.now())
    return ahead.order_by("start", "pk").first()


@dataclass
class PainVisit:
    """A session's pain before and after (0 to 10, None when not given),
    where it hurt, and the routine used."""

    appointment_id: int
    client_id: int
    start: datetime.datetime
    routine: str
    pain_before: int | None
    pain_after: int | None
    areas: list[str]

    @property
    def area_labels(self) -> list[str]:
        return [BodyArea(area).label for area in BodyArea.values if area in self.areas]


PAIN_COLUMNS = [
    "pk", "client_id", "start", "routine__name", "pain_report__pain_before", "pain_report__areas",
    "feedback__pain_before", "feedback__pain_after",
]  # fmt: skip


def _pain_rows(clients: list[int]):
    Appointment = Client._meta.get_field("appointments").related_model
    return (
        Appointment.objects.filter(client_id__in=clients)
        .exclude(status__in=[Appointment.Status.CANCELLED, Appointment.Status.NO_SHOW])
        .filter(
            Q(pain_report__isnull=False)
            | Q(feedback__pain_before__isnull=False)
            | Q(feedback__pain_after__isnull=False)
        )
        .order_by("start", "pk")
        .values_list(*PAIN_COLUMNS)
    )


# Every day page reads it: compiled once per number of clients (building it cost more than running it).
_PAIN_ROWS = CompiledForIds(_pain_rows)


def pain_histories(clients: list[Client], *, until: datetime.datetime | None = None) -> dict[int, list[PainVisit]]:
    """Each client's sessions with a pain level before or after, oldest
    first (up to ``until``), in one query however many clients and visits.
    Before is the intake step's (``PainReport``), else what the feedback
    said; after is the feedback's. Cancelled and missed sessions are left out.

    Health data: call it only for readers ``can_read_health_answers`` allows,
    and log the view."""
    histories: dict[int, list[PainVisit]] = {client.pk: [] for client in clients}
    # ``until`` is applied here: SQLite's times cannot be markers, and the visits after are few.
    for pk, client_id, start, routine, reported, areas, feedback_before, after in _PAIN_ROWS.values(histories):
        if until is not None and start > until:
            continue
        histories[client_id].append(
            PainVisit(
                appointment_id=pk,
                client_id=client_id,
                start=start,
                routine=routine,
                pain_before=reported if reported is not None else feedback_before,
                pain_after=after,
                areas=list(areas or []),
            )
        )
    return histories


def pain_history_by_area(visits: list[PainVisit]) -> list[dict]:
    """The visits that named each body area (in the vocabulary's order),
    for the chart per area: ``[{"area", "label", "visits"}]``."""
    return [
        {"area": area, "label": label, "visits": named}
        for area, label in BodyArea.choices
        if (named := [visit for visit in visits if area in visit.areas])
    ]


# Every booking reads it (its plan): compiled once, only the client's id changes.
_LATEST_SCREENING = CompiledQuery(
    lambda client: HealthScreening.objects.filter(client=client).order_by("-created_at", "-pk")[:1],
    client=-1,  # no client's id
)


def screening_latest(client: Client) -> HealthScreening | None:
    screening = next(iter(_LATEST_SCREENING.objects(client=client.pk)), None)
    if screening is not None:
        screening.client = client  # as client.screenings gives it: no query to read the client again
    return screening


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
    return _("These notes are read at the front desk: keep health information in the screening (found: %(words)s).") % {
        "words": ", ".join(found)
    }


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
    screening = screening_latest(client)
    if screening is not None:  # its decisions as the day pages read them: every booking and start asks
        prefetched_children([screening], "clearances", _CLEARANCES.objects([screening.pk]), parent_field="screening")
    return _evaluate(client, screening, today)


FLAG_LABELS = {
    Severity.BLOCKED: ("blocked_until_cleared", gettext_lazy("Back massage blocked until a therapist clears it")),
    Severity.REVIEW: ("needs_therapist_review", gettext_lazy("Needs therapist review")),
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
        raise Forbidden(_("This client has no session with you."))
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
    if link is None or link.client.erased_at is not None:  # one made as she was erased is no link of hers
        raise LinkInvalid()
    if link.used_at is not None:
        raise LinkGone(_("This link has been used already."), code="link_used")
    if link.expires_at <= timezone.now():
        raise LinkGone(_("This link has expired."), code="link_expired")
    return link


def _latest_screenings(clients: list[int]):
    newest = HealthScreening.objects.filter(client_id=OuterRef("client_id")).order_by("-created_at", "-pk")
    return HealthScreening.objects.filter(client_id__in=clients, pk=Subquery(newest.values("pk")[:1]))


# Every day page reads them: compiled once per number of clients or screenings.
_LATEST_SCREENINGS = CompiledForIds(_latest_screenings)
_CLEARANCES = CompiledForIds(lambda screenings: ScreeningClearance.objects.filter(screening_id__in=screenings))


def latest_screenings(clients: list[Client]) -> dict[int, HealthScreening]:
    """The latest screening of each client, with clearances, in two queries.
    Only the latest rows are read: a client screened before every visit for
    years has one screening on a day's pages, not all of them."""
    screenings = _LATEST_SCREENINGS.objects(sorted({client.pk for client in clients}))
    clearances = _CLEARANCES.objects([screening.pk for screening in screenings])
    prefetched_children(screenings, "clearances", clearances, parent_field="screening")
    return {screening.client_id: screening for screening in screenings}


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
