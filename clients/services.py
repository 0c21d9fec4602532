"""Writes for clients and their health data. Every write of health data is
logged in HealthDataAccess in the same transaction."""

import datetime
import secrets

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clients.evaluation import evaluate_screening
from clients.links import DEFAULT_VALID_DAYS, URL_NAMES, LinkGone, token_for
from clients.models import (
    CLIENT_FIELDS,
    Client,
    ClientConsentChange,
    ClientLink,
    ClientMerge,
    HealthDataAccess,
    HealthScreening,
    ScreeningClearance,
)
from clients.search import name_keys, normalise_phone
from clients.selectors import client_merge_fills, client_merge_refusal, client_relations, may_enter_screening
from clients.signals import (
    client_erasing,
    consents_changed,
    intake_link_requested,
    pain_reported,
    screening_changed,
)
from salon.errors import Conflict, Forbidden, InvalidInput, NotFound, validate
from salon.models import Business, Salon, Therapist
from salon.roles import Role, has_role, signed_in_or_none, user_roles

Via = ClientConsentChange.Via


def health_access_log(*, client: Client, action: str, user=None, actor: str = "") -> HealthDataAccess:
    """Record who touched a client's health data. ``actor`` names a non-user
    (the client's own link, the system)."""
    return HealthDataAccess.objects.create(
        client=client,
        client_label=str(client.pk),
        user=signed_in_or_none(user),
        actor=actor or getattr(user, "username", "") or "system",
        action=action,
    )


def _apply_client_fields(client: Client, fields: dict, *, phone_region: str) -> None:
    for name, value in fields.items():
        if isinstance(value, str) and name != "front_desk_notes":
            value = value.strip()
        setattr(client, name, value)
    client.email = client.email.lower()
    try:
        client.phone = normalise_phone(client.phone, region=phone_region)
    except ValidationError as error:
        raise InvalidInput(" ".join(error.messages), code="invalid_phone", fields={"phone": error.messages}) from None
    for name, value in name_keys(client.given_name, client.family_name).items():
        setattr(client, name, value)


def _consent_changes_record(client: Client, before: dict, *, by, via: str) -> list[ClientConsentChange]:
    """A history row for each consent that differs from ``before`` (field
    name to value; a consent missing there was never asked)."""
    changes = [
        ClientConsentChange(client=client, consent=consent, given=getattr(client, field), by=by, via=via)
        for field, consent in ClientConsentChange.FIELDS.items()
        if field in before and getattr(client, field) != before[field]
    ]
    for change in changes:
        validate(change, exclude=["client", "by"])
    return ClientConsentChange.objects.bulk_create(changes)


@transaction.atomic
def client_create(*, salon: Salon, given_name: str, family_name: str, by=None, via: str = Via.DESK, **fields) -> Client:
    """A new client of the business, added at the location ``salon``: a phone
    number without a country code is read as that location's country's.
    A consent given here (``consent_reminders``, ``consent_feedback``, yes
    or no) goes into the history with ``by`` (who asked) and ``via``."""
    unknown = set(fields) - set(CLIENT_FIELDS)
    if unknown:
        raise InvalidInput.for_fields({name: [_("Unknown field.")] for name in sorted(unknown)})
    client = Client(business_id=salon.business_id)
    _apply_client_fields(
        client, {"given_name": given_name, "family_name": family_name, **fields}, phone_region=salon.phone_region
    )
    validate(client)
    client.save()
    # Asked and answered, either way: a "no" at the desk is worth keeping too.
    asked = {field: None for field in ClientConsentChange.FIELDS if field in fields}
    _consent_changes_record(client, asked, by=signed_in_or_none(by), via=via)
    return client


def _not_merged(client: Client) -> None:
    if client.merged_into_id:
        raise Conflict(
            _("This record was merged into client %(number)s; change that one.") % {"number": client.merged_into_id},
            code="client_merged",
        )


@transaction.atomic
def client_update(*, client: Client, salon: Salon | None = None, by=None, via: str = Via.DESK, **changes) -> Client:
    """Change a client's contact details and consents; a phone number without
    a country code is read as the country of ``salon``, the location making
    the change (by default the business's first location). A changed
    consent goes into the history with ``by`` and ``via``, and apps that
    send messages hear of it (``consents_changed``) in this transaction."""
    unknown = set(changes) - set(CLIENT_FIELDS)
    if unknown:
        raise InvalidInput.for_fields({name: [_("This field cannot be changed.")] for name in sorted(unknown)})
    client = Client.objects.select_for_update().get(pk=client.pk)
    _not_merged(client)
    salon = salon or Salon.objects.filter(business_id=client.business_id).order_by("name", "pk").first()
    before = {field: getattr(client, field) for field in ClientConsentChange.FIELDS}
    _apply_client_fields(client, changes, phone_region=salon.phone_region)
    validate(client)
    client.save()
    if _consent_changes_record(client, before, by=signed_in_or_none(by), via=via):
        consents_changed.send(sender=Client, client=client)
    return client


@transaction.atomic
def client_archive(*, client: Client, archived: bool = True) -> Client:
    if not archived:
        # A merged record stays archived: its visits live on the kept one.
        _not_merged(Client.objects.get(pk=client.pk))
    Client.objects.filter(pk=client.pk).update(archived=archived)
    client.archived = archived
    return client


def entering_role(user) -> str:
    """The role a member of staff entered answers in, the most clinical one
    they hold: what the therapist needs to know about how they were taken."""
    held = user_roles(user)
    return next((role.value for role in (Role.MANAGER, Role.THERAPIST, Role.RECEPTIONIST) if role in held), "")


@transaction.atomic
def screening_create(*, client: Client, answers: dict, entered_via: str, entered_by=None) -> HealthScreening:
    """Store a new screening; earlier ones stay as history. Apps that keep
    plans built from the screening hear of it (``screening_changed``) in this
    transaction."""
    if client.archived:
        raise Conflict(_("This client is archived; restore the client first."), code="client_archived")
    staff = signed_in_or_none(entered_by) if entered_via == HealthScreening.EnteredVia.STAFF else None
    if staff is not None and not may_enter_screening(staff, client):
        raise Forbidden(_("Only the front desk, managers and this client's own therapists can enter a screening."))
    screening = HealthScreening(
        client=client,
        entered_via=entered_via,
        entered_by=signed_in_or_none(entered_by),
        entered_by_role=entering_role(staff) if staff is not None else "",
        consent_at=answers.pop("consent_at", None) or timezone.now(),
        **answers,
    )
    if not screening.pregnant:
        screening.pregnancy_weeks = None
    validate(screening)
    screening.save()
    via_link = entered_via == HealthScreening.EnteredVia.CLIENT_LINK
    health_access_log(
        client=client,
        action=HealthDataAccess.Action.CREATE,
        user=entered_by,
        actor="client link" if via_link else "",
    )
    # Lazy, as every reason sent below: each plan writes it in its therapist's language.
    reason = gettext_lazy("The client sent new health answers") if via_link else gettext_lazy("New health screening")
    screening_changed.send(sender=HealthScreening, client=client, reason=reason)
    return screening


@transaction.atomic
def screening_confirm_unchanged(*, screening: HealthScreening, at: datetime.datetime | None = None) -> HealthScreening:
    """The client says nothing has changed since this screening."""
    latest = HealthScreening.objects.filter(client_id=screening.client_id).latest()
    if latest.pk != screening.pk:
        raise Conflict(_("Only the latest screening can be confirmed."), code="not_latest_screening")
    screening.confirmed_at = at or timezone.now()
    HealthScreening.objects.filter(pk=screening.pk).update(confirmed_at=screening.confirmed_at)
    # A renewed screening is no longer expired: plans that said so change.
    screening_changed.send(
        sender=HealthScreening, client=screening.client, reason=gettext_lazy("The client confirmed nothing has changed")
    )
    return screening


def may_clear_blocks(user) -> bool:
    """Lifting a block is a considered act: managers, and therapists who hold
    the therapeutic qualification."""
    if has_role(user, Role.MANAGER):
        return True
    return Therapist.objects.filter(user=user, active=True, qualified_therapeutic=True).exists()


@transaction.atomic
def screening_clear(*, screening: HealthScreening, rule: str, cleared_by, note: str) -> ScreeningClearance:
    """A manager or a therapeutically qualified therapist records, with a
    reason, that a blocking finding no longer applies; the clearance lasts
    the salon's ``clearance_valid_days``, then the block returns."""
    if not may_clear_blocks(cleared_by):
        raise Forbidden(
            _("Only a manager or a therapist qualified for therapeutic massage can lift a block."), code="not_allowed"
        )
    outcome = evaluate_screening(screening, zone=screening.client.business.zone)
    blocking = {finding.rule for finding in outcome.blocking_findings}
    if rule == "skin_injuries":
        message = _("Look at the wound and mark the areas to keep away from instead.")
        raise InvalidInput(message, fields={"rule": [message]})
    if rule == "fever":
        message = _("A fever blocks the day it is reported only; it cannot be cleared.")
        raise InvalidInput(message, fields={"rule": [message]})
    if rule not in blocking:
        message = _("Nothing to clear: '%(rule)s' does not block this screening.") % {"rule": rule}
        raise InvalidInput(message, fields={"rule": [message]})
    if not note.strip():
        raise InvalidInput(_("Say why it is safe now."), fields={"note": [_("Say why it is safe now.")]})
    expires = timezone.now() + datetime.timedelta(days=screening.client.business.clearance_valid_days)
    clearance = ScreeningClearance(
        screening=screening, rule=rule, cleared_by=cleared_by, note=note.strip(), expires_at=expires
    )
    return _decision_record(
        clearance, reason=format_lazy(gettext_lazy("Cleared by {name}"), name=cleared_by.get_full_name() or cleared_by)
    )


def _decision_record(decision: ScreeningClearance, *, reason: Promise) -> ScreeningClearance:
    """Store a therapist's decision on a screening, log the access to health
    data, and let the plans of coming sessions follow."""
    validate(decision)
    decision.save()
    client = decision.screening.client
    health_access_log(client=client, action=HealthDataAccess.Action.CLEAR, user=decision.cleared_by)
    screening_changed.send(sender=ScreeningClearance, client=client, reason=reason)
    return decision


@transaction.atomic
def screening_areas_mark(
    *, screening: HealthScreening, areas: list[str], marked_by, note: str = ""
) -> ScreeningClearance:
    """A therapist who has looked marks areas to keep away from (a wound the
    client could not place, a bruise, a rash); kept with who and when, and
    the plans of coming sessions follow."""
    if not areas:
        raise InvalidInput(_("Mark at least one area."), fields={"areas": [_("Mark at least one area.")]})
    if screening.skin_injuries and not screening.skin_injury_areas:
        # This mark lifts the block of a wound the client did not place.
        if not may_clear_blocks(marked_by):
            raise Forbidden(
                _(
                    "Only a manager or a therapist qualified for therapeutic massage can settle a wound "
                    "without a place."
                ),
                code="not_allowed",
            )
        if not note.strip():
            message = _("Say what you saw, as this settles the wound the client did not place.")
            raise InvalidInput(message, fields={"note": [message]})
    mark = ScreeningClearance(
        screening=screening,
        rule=ScreeningClearance.AREAS_MARKED,
        cleared_by=marked_by,
        note=note.strip(),
        areas=list(dict.fromkeys(areas)),
    )
    reason = format_lazy(
        gettext_lazy("{name} marked areas to keep away from"), name=marked_by.get_full_name() or marked_by
    )
    return _decision_record(mark, reason=reason)


@transaction.atomic
def client_link_create(
    *,
    client: Client,
    purpose: str,
    created_by=None,
    valid_days: int = DEFAULT_VALID_DAYS,
    expires_at: datetime.datetime | None = None,
    reference: int | None = None,
) -> tuple[ClientLink, str]:
    """Create a link for the client and return it with its full URL. It
    expires at ``expires_at`` when given, else after ``valid_days``."""
    link, url = client_link_build(client=client, purpose=purpose, created_by=created_by, valid_days=valid_days,
                                  expires_at=expires_at, reference=reference)  # fmt: skip
    link.save(force_insert=True)
    return link, url


def client_link_build(
    *,
    client: Client,
    purpose: str,
    created_by=None,
    valid_days: int = DEFAULT_VALID_DAYS,
    expires_at: datetime.datetime | None = None,
    reference: int | None = None,
) -> tuple[ClientLink, str]:
    """A link as ``client_link_create`` makes it, and its URL, not yet saved:
    the token is signed from the nonce alone, so a sender of many messages
    can write all their links with one ``client_links_save`` before the first
    message goes out."""
    if client.archived:
        raise Conflict(_("This client is archived; restore the client first."), code="client_archived")
    link = ClientLink(
        client=client,
        purpose=purpose,
        nonce=secrets.token_urlsafe(32),
        created_by=signed_in_or_none(created_by),
        expires_at=expires_at or timezone.now() + datetime.timedelta(days=valid_days),
        reference=reference,
    )
    return link, settings.SITE_URL + reverse(URL_NAMES[purpose], args=[token_for(link)])


def client_links_save(*, links: list[ClientLink]) -> None:
    """Write links made by ``client_link_build``, all in one insert."""
    ClientLink.objects.bulk_create(links)


def client_link_spend(link: ClientLink) -> None:
    """Mark the link used; the conditional update makes a second, concurrent
    use fail, so a link works once even when the form is sent twice at once."""
    spent = ClientLink.objects.filter(pk=link.pk, used_at__isnull=True, expires_at__gt=timezone.now()).update(
        used_at=timezone.now()
    )
    if not spent:
        raise LinkGone(_("This link has been used already or has expired."), code="link_used")


def _pain_today_report(client: Client, pain_today: dict | None) -> None:
    """Hand today's pain (``{"pain_before": 0-10, "areas": [...]}``) to the
    app that keeps it with the next session (``pain_reported``); it checks
    the values and refuses (400, naming the field) in this transaction."""
    if pain_today is None:
        return
    pain_reported.send(sender=Client, client=client, pain_before=pain_today["pain_before"],
                       areas=list(pain_today.get("areas", [])))  # fmt: skip


@transaction.atomic
def intake_submit(
    *, link: ClientLink, answers: dict, pain_today: dict | None = None, language: str = ""
) -> HealthScreening:
    """The client's own answers through an intake link, stored as a new
    screening while the link is spent, in one transaction, with today's
    pain when the client gave it, and the language they want to be written
    to in when they chose one."""
    client_link_spend(link)
    screening = screening_create(
        client=link.client, answers=answers, entered_via=HealthScreening.EnteredVia.CLIENT_LINK
    )
    _pain_today_report(link.client, pain_today)
    if language and language != link.client.language:
        _client_language_set(link.client, language)
    return screening


def _client_language_set(client: Client, language: str) -> None:
    """Only this field, so the rest of a record staff may be editing meanwhile stays theirs."""
    try:
        Client._meta.get_field("language").clean(language, client)
    except ValidationError as error:
        raise InvalidInput.for_fields({"language": error.messages}) from None
    Client.objects.filter(pk=client.pk).update(language=language)
    client.language = language


@transaction.atomic
def intake_confirm_unchanged(*, link: ClientLink, pain_today: dict | None = None) -> HealthScreening:
    """The client says nothing has changed since their latest screening, and
    may say how much it hurts today."""
    latest = HealthScreening.objects.filter(client_id=link.client_id).order_by("-created_at", "-pk").first()
    if latest is None:
        message = _("There is nothing to confirm yet: please answer the questions.")
        raise InvalidInput(message, fields={"confirm": [message]})
    client_link_spend(link)
    confirmed = screening_confirm_unchanged(screening=latest)
    _pain_today_report(link.client, pain_today)
    return confirmed


def client_export_record(*, client: Client, user) -> HealthDataAccess:
    """Log that everything held about the client was handed out (the API
    renders the export itself, ``clients.serializers.ClientExportSerializer``)."""
    return health_access_log(client=client, action=HealthDataAccess.Action.EXPORT, user=user)


def _personal_data_remove(client: Client) -> None:
    client.screenings.all().delete()
    client.links.all().delete()
    client.given_name = "Erased"
    client.family_name = f"client {client.pk}"
    client.email = client.phone = client.front_desk_notes = ""
    client.date_of_birth = None
    client.consent_reminders = client.consent_feedback = False
    client.archived = True
    client.erased_at = timezone.now()
    for name, value in name_keys(client.given_name, client.family_name).items():
        setattr(client, name, value)
    validate(client)
    client.save()


@transaction.atomic
def client_erase(*, client: Client, user) -> Client:
    """Remove the client's personal and health data, and that of the records
    merged into theirs, everywhere, in one transaction: here, and in the apps
    above, which hear of it (``client_erasing``) while the record still has
    its name and address. The rows stay, anonymous, so that visit history can
    still be counted."""
    client = Client.objects.select_for_update().get(pk=client.pk)
    if client.erased_at:
        return client
    for merged in Client.objects.select_for_update().filter(merged_into=client, erased_at__isnull=True):
        client_erasing.send(sender=Client, client=merged, by=user)
        _personal_data_remove(merged)
        health_access_log(client=merged, action=HealthDataAccess.Action.ERASE, user=user)
    client_erasing.send(sender=Client, client=client, by=user)
    _personal_data_remove(client)
    health_access_log(client=client, action=HealthDataAccess.Action.ERASE, user=user)
    return client


@transaction.atomic
def client_intake_link_send(*, client: Client, channel: str, by):
    """Send the client the link to the intake form now (again), by email or
    SMS as the desk chooses. The message goes through the outbox of the app
    that sends messages, which hears of it (``intake_link_requested``) and
    answers with the message it queued; it refuses (409) when there is
    nothing to send it with."""
    if not has_role(by, Role.RECEPTIONIST, Role.MANAGER):
        raise Forbidden(_("Only the front desk and managers send intake links."))
    _not_merged(client)
    if client.archived:
        raise Conflict(_("This client is archived; restore the client first."), code="client_archived")
    if channel not in Client.Channel.values:
        raise InvalidInput(
            _("Choose email or SMS."), code="invalid_channel", fields={"channel": [_("Choose email or SMS.")]}
        )
    if not (client.email if channel == Client.Channel.EMAIL else client.phone):
        if channel == Client.Channel.EMAIL:
            message = _("%(name)s has no email address: add one first, or choose the other way.")
        else:
            message = _("%(name)s has no phone number: add one first, or choose the other way.")
        message %= {"name": client.full_name}
        raise InvalidInput(message, code="no_address", fields={"channel": [message]})
    answers = intake_link_requested.send(sender=Client, client=client, channel=channel, by=by)
    queued = [message for _, message in answers if message is not None]
    if not queued:
        raise Conflict(_("Nothing here sends messages to clients."), code="no_outbox")
    return queued[0]


def _merge_fill(keep: Client, merge: Client) -> list[str]:
    """Fill the kept record's empty contact fields from the merged one; the
    names of the fields filled."""
    filled = client_merge_fills(keep=keep, merge=merge)
    for field in filled:
        setattr(keep, field, getattr(merge, field))
    return filled


# What a merge does with each relation to Client ("app_label.model.field"):
# MOVE points the rows at the kept record; STAY leaves them with the merged
# one, which stays. A relation missing here stops every merge (the test
# tests/clients/test_client_records.py lists them too), so that a new one is
# decided on rather than left behind.
MOVE, STAY = "move", "stay"
MERGE_RELATIONS = {
    "clients.healthscreening.client": MOVE,
    "clients.clientlink.client": MOVE,
    "clients.clientconsentchange.client": MOVE,
    # Who read the health data goes with it, for the client's export; the
    # label keeps the id the entry was written for.
    "clients.healthdataaccess.client": MOVE,
    # Records merged into the merged one before: they lead to the kept one now.
    "clients.client.merged_into": MOVE,
    # The merge log names both records as they were.
    "clients.clientmerge.kept": STAY,
    "clients.clientmerge.merged": STAY,
    "treatments.appointment.client": MOVE,
    "treatments.notification.client": MOVE,
    "treatments.waitlistentry.client": MOVE,
    "treatments.course.client": MOVE,
}


@transaction.atomic
def client_merge(*, keep: Client, merge: Client, by) -> ClientMerge:
    """Fold the duplicate ``merge`` into ``keep`` in one transaction: every
    row that names ``merge`` (visits, screenings, links, messages, consent
    history, ...; ``MERGE_RELATIONS``) moves to ``keep``, the kept record's
    empty contact fields are filled from the other, and ``merge`` stays,
    archived, pointing at ``keep``. Both rows are locked, so two merges of
    the same records cannot cross; logged in ClientMerge (and, as health
    data changed records, in HealthDataAccess)."""
    if not has_role(by, Role.RECEPTIONIST, Role.MANAGER):
        raise Forbidden(_("Only the front desk and managers merge client records."))
    # In the order of their ids, so that two merges lock the pair the same way.
    locked = Client.objects.select_for_update().filter(pk__in=[keep.pk, merge.pk]).order_by("pk")
    rows = {client.pk: client for client in locked}
    if keep.pk not in rows or merge.pk not in rows:
        raise NotFound(_("That client no longer exists."), code="client_not_found")
    keep, merge = rows[keep.pk], rows[merge.pk]
    client_merge_refusal(keep=keep, merge=merge)
    relations = client_relations()
    unknown = sorted(label for label, _, _ in relations if label not in MERGE_RELATIONS)
    if unknown:
        raise ImproperlyConfigured(f"Add {', '.join(unknown)} to MERGE_RELATIONS: a merge must move or keep it.")
    moved = {}
    for label, model, field in relations:
        if MERGE_RELATIONS[label] == MOVE:
            moved[label] = model._base_manager.filter(**{field: merge}).update(**{field: keep})
    filled = _merge_fill(keep, merge)
    validate(keep)
    keep.save()
    merge.merged_into, merge.merged_at, merge.archived = keep, timezone.now(), True
    merge.save(update_fields=["merged_into", "merged_at", "archived"])
    record = ClientMerge.objects.create(
        kept=keep,
        merged=merge,
        kept_label=str(keep.pk),
        merged_label=str(merge.pk),
        by=signed_in_or_none(by),
        moved={label: count for label, count in moved.items() if count},
        filled=filled,
    )
    if moved.get("clients.healthscreening.client"):
        health_access_log(client=keep, action=HealthDataAccess.Action.MERGE, user=by)
    # The plans of the moved sessions follow the kept record's screening,
    # and its messages the kept record's consents.
    reason = format_lazy(gettext_lazy("Client record {number} was merged into this one"), number=merge.pk)
    screening_changed.send(sender=Client, client=keep, reason=reason)
    consents_changed.send(sender=Client, client=keep)
    return record


@transaction.atomic
def health_data_purge(*, business: Business, now: datetime.datetime | None = None) -> int:
    """Delete the screenings of clients whose last screening activity is older
    than the business's retention period. Returns how many clients were purged."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=round(business.health_data_retention_months * 30.44))
    stale = (
        Client.objects.filter(business=business, screenings__isnull=False)
        .alias(last_created=Max("screenings__created_at"), last_confirmed=Max("screenings__confirmed_at"))
        .filter(last_created__lt=cutoff)
        .filter(Q(last_confirmed__isnull=True) | Q(last_confirmed__lt=cutoff))
        .distinct()
    )
    purged = 0
    for client in stale:
        client.screenings.all().delete()
        health_access_log(client=client, action=HealthDataAccess.Action.PURGE, actor="retention")
        purged += 1
    return purged
