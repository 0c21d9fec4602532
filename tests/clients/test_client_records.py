"""Client records at the desk (issue 17, item 7): editing contact details and
consents with their history, consent asked at quick-add, sending the intake
link by email or SMS through the outbox, visits with no-shows and late
cancellations, and finding and merging duplicates."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clients import services
from clients.models import Client, ClientConsentChange, ClientLink, ClientMerge, HealthDataAccess, HealthScreening
from clients.selectors import client_duplicates, client_link_usable, client_relations
from clients.services import (
    MERGE_RELATIONS,
    MOVE,
    client_create,
    client_intake_link_send,
    client_link_create,
    client_merge,
    client_update,
    health_access_log,
)
from clients.signals import consents_changed
from salon.errors import Conflict, Forbidden, InvalidInput
from salon.roles import Role
from sessions.models import Appointment, Course, Notification, WaitlistEntry
from sessions.services.booking import appointment_book, appointment_book_new_client
from sessions.tasks import notification_send
from tests.factories import ClientFactory, SalonFactory, UserFactory, screening_for, short_routine
from tests.helpers import sign_in
from tests.scenario import salon_scenario

pytestmark = pytest.mark.django_db

SABINE = {
    "given_name": "Sabine",
    "family_name": "Krüger",
    "email": "sabine@example.com",
    "phone": "+49 170 9876543",
}


@pytest.fixture
def scene():
    return salon_scenario(name="Lindenhof", therapists=["Anna", "Ben"], rooms=["Linden", "Birke"], clients=[SABINE])


@pytest.fixture
def routine():
    return short_routine(minutes=45, turnover=15)


@pytest.fixture
def tomorrow(scene):
    return (timezone.now().astimezone(scene.salon.zone) + datetime.timedelta(days=1)).date()


@pytest.fixture
def desk(client, receptionist):
    sign_in(client, receptionist)
    return client


def book(scene, routine, day, hour, *, client=None, therapist=None, now=None):
    return appointment_book(
        client=client or scene.client,
        routine=routine,
        start=scene.at(day, hour),
        therapist=therapist or scene.therapist,
        now=now,
    )


# Editing contact details and consents


def test_the_desk_edits_the_phone_and_consents_and_the_consents_are_kept_with_who_and_when(scene, desk, receptionist):
    sabine = scene.client
    receptionist.first_name, receptionist.last_name = "Clara", "Brandt"
    receptionist.save()

    response = desk.post(
        f"/clients/{sabine.pk}/edit/",
        {
            "given_name": "Sabine", "family_name": "Krüger", "email": "sabine@example.com", "phone": "0170 1234567",
            "date_of_birth": "1985-04-12", "preferred_channel": "sms", "consent_reminders": "on",
        },
    )  # fmt: skip

    assert response.status_code == 302
    assert response["Location"] == f"/clients/{sabine.pk}/"
    sabine.refresh_from_db()
    assert sabine.phone == "+491701234567"  # read as the location's country's, stored E.164
    assert sabine.date_of_birth == datetime.date(1985, 4, 12)
    assert sabine.preferred_channel == "sms"
    assert sabine.consent_reminders is True
    (change,) = ClientConsentChange.objects.filter(client=sabine)
    assert (change.consent, change.given, change.by, change.via) == ("reminders", True, receptionist, "desk")
    assert timezone.now() - change.at < datetime.timedelta(minutes=1)

    page = desk.get(f"/clients/{sabine.pk}/").content.decode()
    assert "Saved the details of Sabine Krüger." in page
    assert "+491701234567" in page
    assert "<td>Appointment reminders</td><td>Agreed</td><td>Clara Brandt</td><td>At the front desk</td>" in page


def test_withdrawing_a_consent_is_history_too_and_an_unchanged_consent_writes_nothing(scene, receptionist):
    sabine = client_update(client=scene.client, consent_feedback=True, by=receptionist)

    client_update(client=sabine, consent_feedback=True, phone="+49 170 1234567", by=receptionist)
    client_update(client=sabine, consent_feedback=False, by=receptionist, via="api")

    history = list(ClientConsentChange.objects.filter(client=sabine).values_list("consent", "given", "via"))
    assert history == [("feedback", False, "api"), ("feedback", True, "desk")]  # newest first


def test_the_edit_form_shows_what_is_stored(scene, desk):
    sabine = client_update(client=scene.client, date_of_birth=datetime.date(1985, 4, 12), consent_feedback=True)

    html = desk.get(f"/clients/{sabine.pk}/edit/").content.decode()

    assert 'value="+491709876543"' in html
    assert 'value="1985-04-12"' in html
    assert 'name="consent_feedback" id="id_consent_feedback" checked' in html


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"phone": "call me"}, "Phone", "This is not a phone number."),
        ({"phone": "+49 30 12"}, "Phone", "This phone number is not valid"),
        ({"email": "not an address"}, "Email", "Enter a valid email address."),
        ({"email": "", "phone": ""}, "Email", "Give an email address or a phone number."),
        ({"date_of_birth": "2999-01-01"}, "Date of birth", ""),
        ({"given_name": ""}, "Given name", "This field is required."),
        ({"preferred_channel": "pigeon"}, "Messages go by", "Select a valid choice."),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_keeps_what_was_typed(scene, desk, change, field, words):
    sabine = scene.client
    typed = {"given_name": "Sabine", "family_name": "Krüger-Lind", "email": "sabine@example.com",
             "phone": "0170 9876543", "preferred_channel": "email", "consent_reminders": "on", **change}  # fmt: skip

    response = desk.post(f"/clients/{sabine.pk}/edit/", typed)

    assert response.status_code == 400
    html = response.content.decode()
    summary = html.split('id="form-errors"', 1)[1].split("</div>", 1)[0]
    assert f"{field}: {words}" in summary
    assert 'value="Krüger-Lind"' in html  # what was typed stays
    assert 'name="consent_reminders" id="id_consent_reminders" checked' in html
    assert "clients/client_record.js" in html  # moves the focus to the summary
    sabine.refresh_from_db()
    assert (sabine.family_name, sabine.consent_reminders) == ("Krüger", False)  # nothing half-written
    assert not ClientConsentChange.objects.filter(client=sabine).exists()


def test_therapists_read_the_record_but_do_not_edit_it(scene, client, routine, tomorrow):
    book(scene, routine, tomorrow, 10)
    sign_in(client, scene.therapist.user)

    page = client.get(f"/clients/{scene.client.pk}/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "Edit details and consents" not in html
    assert "Send by email" not in html
    assert "Consent history" in html
    assert client.get(f"/clients/{scene.client.pk}/edit/").status_code == 403
    assert client.post(f"/clients/{scene.client.pk}/edit/", {"given_name": "X"}).status_code == 403


def test_the_api_records_consent_changes_as_made_through_the_api(scene, api_client, receptionist):
    api_client.force_authenticate(receptionist)

    response = api_client.patch(f"/api/v1/clients/{scene.client.pk}/", {"consent_reminders": True}, format="json")

    assert response.status_code == 200
    change = ClientConsentChange.objects.get(client=scene.client)
    assert (change.given, change.by, change.via) == (True, receptionist, "api")


def test_a_consent_withdrawn_cancels_waiting_reminders_and_a_consent_given_writes_them(scene, routine, tomorrow):
    later = tomorrow + datetime.timedelta(days=3)
    appointment = book(scene, routine, later, 10)
    assert not Notification.objects.filter(appointment=appointment, kind="reminder").exists()

    client_update(client=scene.client, consent_reminders=True)

    waiting = Notification.objects.filter(appointment=appointment, kind="reminder", status="pending")
    assert sorted(waiting.values_list("due_at", flat=True)) == [
        scene.at(later, 10) - datetime.timedelta(hours=24),
        scene.at(later, 10) - datetime.timedelta(hours=2),
    ]

    client_update(client=scene.client, consent_reminders=False)

    assert not waiting.exists()
    assert Notification.objects.filter(appointment=appointment, kind="reminder", status="cancelled").count() == 2


# Quick-add at the desk


def test_a_client_added_with_a_booking_who_consents_gets_reminders_by_their_channel(scene, routine, receptionist):
    in_three_days = (timezone.now().astimezone(scene.salon.zone) + datetime.timedelta(days=3)).date()

    appointment = appointment_book_new_client(
        salon=scene.salon,
        client_fields={
            "given_name": "Mara",
            "family_name": "Lind",
            "phone": "0170 5550123",
            "email": "",
            "consent_reminders": True,
            "preferred_channel": "sms",
        },
        routine=routine,
        start=scene.at(in_three_days, 10),
        booked_by=receptionist,
    )

    mara = appointment.client
    assert (mara.consent_reminders, mara.preferred_channel) == (True, "sms")
    reminders = Notification.objects.filter(appointment=appointment, kind="reminder")
    assert reminders.count() == 2
    assert set(reminders.values_list("channel", flat=True)) == {"sms"}
    (change,) = ClientConsentChange.objects.filter(client=mara)
    assert (change.consent, change.given, change.by, change.via) == ("reminders", True, receptionist, "desk")


def test_a_client_added_who_declines_gets_no_reminders_and_the_answer_is_kept(scene, routine, receptionist, tomorrow):
    appointment = appointment_book_new_client(
        salon=scene.salon,
        client_fields={
            "given_name": "Mara",
            "family_name": "Lind",
            "email": "mara@example.com",
            "consent_reminders": False,
            "preferred_channel": "email",
        },
        routine=routine,
        start=scene.at(tomorrow, 10),
        booked_by=receptionist,
    )

    assert not Notification.objects.filter(appointment=appointment, kind="reminder").exists()
    assert list(ClientConsentChange.objects.values_list("consent", "given")) == [("reminders", False)]


def test_a_client_added_without_being_asked_has_no_consent_history(scene):
    person = client_create(salon=scene.salon, given_name="Jo", family_name="Berg", email="jo@example.com")

    assert not ClientConsentChange.objects.filter(client=person).exists()


def test_quick_add_refused_keeps_neither_client_nor_consent(scene, routine, receptionist):
    yesterday = (timezone.now().astimezone(scene.salon.zone) - datetime.timedelta(days=1)).date()

    with pytest.raises(InvalidInput):
        appointment_book_new_client(
            salon=scene.salon,
            client_fields={
                "given_name": "Mara",
                "family_name": "Lind",
                "email": "mara@example.com",
                "consent_reminders": True,
            },
            routine=routine,
            start=scene.at(yesterday, 10),
            booked_by=receptionist,
        )

    assert not Client.objects.filter(family_name="Lind").exists()
    assert not ClientConsentChange.objects.exists()


# Sending the intake link


def test_the_desk_sends_the_intake_link_by_email_through_the_outbox(scene, desk, routine, tomorrow):
    appointment = book(scene, routine, tomorrow, 10)
    Notification.objects.all().delete()  # the booking's own messages are not this test's

    response = desk.post(f"/clients/{scene.client.pk}/intake-link/", {"channel": "email"})

    assert response.status_code == 302
    assert response["Location"] == f"/clients/{scene.client.pk}/#intake"
    message = Notification.objects.get()
    assert (message.kind, message.channel, message.appointment, message.status) == (
        "intake_request", "email", appointment, "pending",
    )  # fmt: skip
    assert timezone.now() - message.due_at < datetime.timedelta(minutes=1)
    page = desk.get(f"/clients/{scene.client.pk}/").content.decode()
    assert "The intake link goes to Sabine Krüger by email now." in page
    assert "Waiting to go by email" in page

    notification_send.apply(args=[message.pk])  # what the worker does with it

    (email,) = mail.outbox
    assert email.to == ["sabine@example.com"]
    link = ClientLink.objects.get(client=scene.client, purpose="intake")
    assert "/forms/intake/" in email.body
    assert link.used_at is None
    page = desk.get(f"/clients/{scene.client.pk}/").content.decode()
    assert "Sent by email on" in page
    assert "Send again by email" in page


def test_the_desk_sends_the_intake_link_by_sms(scene, desk, routine, tomorrow):
    book(scene, routine, tomorrow, 10)

    response = desk.post(f"/clients/{scene.client.pk}/intake-link/", {"channel": "sms"})

    assert response.status_code == 302
    message = Notification.objects.filter(kind="intake_request", channel="sms").get()
    assert message.key.split(":")[1:3] == ["intake", "sent"]


def test_each_send_is_a_message_of_its_own(scene, receptionist, routine, tomorrow):
    book(scene, routine, tomorrow, 10)

    first = client_intake_link_send(client=scene.client, channel="email", by=receptionist)
    second = client_intake_link_send(client=scene.client, channel="sms", by=receptionist)

    assert first.pk != second.pk
    assert {first.channel, second.channel} == {"email", "sms"}


def test_without_a_session_ahead_the_link_is_refused_in_place(scene, desk):
    response = desk.post(f"/clients/{scene.client.pk}/intake-link/", {"channel": "email"})

    assert response.status_code == 409
    html = response.content.decode()
    assert 'id="intake-problem"' in html
    assert "has no session booked ahead" in html
    assert not Notification.objects.exists()
    page = desk.get(f"/clients/{scene.client.pk}/").content.decode()
    assert "Send by email" not in page
    assert "book one first" in page


@pytest.mark.parametrize(
    ("channel", "status", "words"),
    [("sms", 400, "has no phone number"), ("pigeon", 400, "Choose email or SMS."), ("", 400, "Choose email or SMS.")],
)
def test_a_channel_without_an_address_or_no_channel_is_refused(scene, desk, routine, tomorrow, channel, status, words):
    client_update(client=scene.client, phone="")
    book(scene, routine, tomorrow, 10)
    Notification.objects.all().delete()

    response = desk.post(f"/clients/{scene.client.pk}/intake-link/", {"channel": channel})

    assert response.status_code == status
    assert words in response.content.decode()
    assert not Notification.objects.exists()


def test_the_api_sends_the_link_and_names_the_field_when_refused(scene, api_client, receptionist, routine, tomorrow):
    appointment = book(scene, routine, tomorrow, 10)
    api_client.force_authenticate(receptionist)
    url = f"/api/v1/clients/{scene.client.pk}/send-intake-link/"

    sent = api_client.post(url, {"channel": "sms"}, format="json")
    refused = api_client.post(url, {"channel": "fax"}, format="json")

    assert sent.status_code == 201
    assert sent.json()["channel"] == "sms"
    assert sent.json()["appointment"] == appointment.pk
    assert Notification.objects.filter(pk=sent.json()["id"], kind="intake_request").exists()
    assert refused.status_code == 400
    assert "channel" in refused.json()["fields"]


def test_therapists_do_not_send_intake_links(scene, client, api_client, routine, tomorrow):
    book(scene, routine, tomorrow, 10)
    anna = scene.therapist.user
    sign_in(client, anna)
    api_client.force_authenticate(anna)

    assert client.post(f"/clients/{scene.client.pk}/intake-link/", {"channel": "email"}).status_code == 403
    url = f"/api/v1/clients/{scene.client.pk}/send-intake-link/"
    assert api_client.post(url, {"channel": "email"}, format="json").status_code == 403
    with pytest.raises(Forbidden):
        client_intake_link_send(client=scene.client, channel="email", by=anna)
    assert not Notification.objects.filter(kind="intake_request", key__contains=":sent:").exists()


# Visits


def visits_of(scene, routine, *, past: int, ahead: int):
    """``past`` visits in the last weeks (booked back then), ``ahead`` to come;
    the first past one a no-show, the second cancelled late."""
    today = timezone.now().astimezone(scene.salon.zone).date()
    made = []
    for index in range(past):
        day = today - datetime.timedelta(days=2 + index)
        made.append(book(scene, routine, day, 10, now=scene.at(day, 10) - datetime.timedelta(days=7)))
    for index in range(ahead):
        made.append(book(scene, routine, today + datetime.timedelta(days=2 + index), 11))
    if past >= 2:
        # Set as the desk's status rules leave them (those rules are tested with the desk).
        Appointment.objects.filter(pk=made[0].pk).update(status="no_show")
        Appointment.objects.filter(pk=made[1].pk).update(status="cancelled", cancelled_late=True)
    return made


def test_the_page_shows_coming_and_past_visits_in_the_salons_zone_with_no_shows_and_late_cancellations(
    scene, desk, routine
):
    made = visits_of(scene, routine, past=3, ahead=2)
    next_one = made[3]

    html = desk.get(f"/clients/{scene.client.pk}/").content.decode()

    assert "<dt>Coming</dt><dd>2</dd>" in html
    assert "<dt>Past</dt><dd>3</dd>" in html
    assert "<dt>No-shows</dt><dd>1</dd>" in html
    assert "<dt>Late cancellations</dt><dd>1</dd>" in html
    assert "Cancelled (late)" in html
    local = next_one.start.astimezone(scene.salon.zone)
    assert f"{local:%a} {local.day} {local:%b %Y}, 11:00" in html
    coming = html.split("<caption>Coming", 1)[1].split("</table>", 1)[0]
    assert coming.count("<tr>") == 3  # the header and two sessions
    assert "Anna" in coming


def test_the_client_page_reads_a_fixed_number_of_queries_however_many_visits(
    scene, desk, routine, django_assert_max_num_queries
):
    visits_of(scene, routine, past=2, ahead=1)
    with CaptureQueriesContext(connection) as few:
        assert desk.get(f"/clients/{scene.client.pk}/").status_code == 200

    for index in range(12):
        day = timezone.now().astimezone(scene.salon.zone).date() - datetime.timedelta(days=20 + index)
        book(scene, routine, day, 14, therapist=scene.therapists[1], now=scene.at(day, 8) - datetime.timedelta(days=9))
    for index in range(8):
        day = timezone.now().astimezone(scene.salon.zone).date() + datetime.timedelta(days=10 + index)
        book(scene, routine, day, 15, therapist=scene.therapists[1])

    with django_assert_max_num_queries(len(few.captured_queries)):
        assert desk.get(f"/clients/{scene.client.pk}/").status_code == 200


def test_a_therapist_sees_only_their_own_sessions_and_counts(scene, client, routine):
    today = timezone.now().astimezone(scene.salon.zone).date()
    anna, ben = scene.therapists
    book(scene, routine, today + datetime.timedelta(days=2), 10, therapist=anna)
    book(scene, routine, today + datetime.timedelta(days=3), 10, therapist=ben)
    sign_in(client, anna.user)

    html = client.get(f"/clients/{scene.client.pk}/").content.decode()

    assert "<dt>Coming</dt><dd>1</dd>" in html
    assert "<td>Ben</td>" not in html


# Possible duplicates


def test_duplicates_by_email_phone_or_name_and_date_of_birth(scene):
    salon, sabine = scene.salon, scene.client
    sabine = client_update(client=sabine, date_of_birth=datetime.date(1985, 4, 12))
    same_email = client_create(salon=salon, given_name="S.", family_name="K", email="SABINE@example.com")
    same_phone = client_create(salon=salon, given_name="Bine", family_name="K", phone="0170 98 76 543")
    same_person = client_create(
        salon=salon,
        given_name="sabine",
        family_name="Kruger",
        email="s@example.org",
        date_of_birth=sabine.date_of_birth,
    )
    client_create(salon=salon, given_name="Sabine", family_name="Krüger", email="other@example.org")  # no birthday
    client_create(salon=SalonFactory(), given_name="Sabine", family_name="K", email="sabine@example.com")  # elsewhere
    archived = client_create(salon=salon, given_name="Old", family_name="Card", email="sabine@example.com")
    services.client_archive(client=archived)

    assert set(client_duplicates(client=sabine)) == {same_email, same_phone, same_person}


def test_the_desk_sees_possible_duplicates_with_the_reason_and_a_way_to_merge(scene, desk, client, routine, tomorrow):
    other = client_create(salon=scene.salon, given_name="Sabine", family_name="Krueger", phone="0170 9876543")
    book(scene, routine, tomorrow, 10)

    html = desk.get(f"/clients/{scene.client.pk}/").content.decode()

    assert "Possible duplicates" in html
    assert "same phone" in html
    assert f'href="/clients/{scene.client.pk}/merge/?merge={other.pk}"' in html
    sign_in(client, scene.therapist.user)
    assert "Possible duplicates" not in client.get(f"/clients/{scene.client.pk}/").content.decode()


# Merging


def test_every_relation_to_a_client_is_decided_for_merging():
    """A new foreign key to Client anywhere must be added to MERGE_RELATIONS
    (moved to the kept record, or deliberately left): else merging would
    leave it behind, or delete it with the merged record."""
    assert {label for label, _, _ in client_relations()} == set(MERGE_RELATIONS)


def test_a_merge_refuses_loudly_when_a_relation_is_not_decided(scene, receptionist, monkeypatch):
    other = ClientFactory(salon=scene.salon)
    undecided = dict(MERGE_RELATIONS)
    undecided.pop("clients.clientlink.client")
    monkeypatch.setattr(services, "MERGE_RELATIONS", undecided)
    link, _ = client_link_create(client=other, purpose=ClientLink.Purpose.INTAKE)

    with pytest.raises(ImproperlyConfigured, match=r"clients\.clientlink\.client"):
        client_merge(keep=scene.client, merge=other, by=receptionist)

    link.refresh_from_db()
    assert link.client == other


@pytest.fixture
def duplicate(scene, routine, tomorrow, receptionist):
    """Sabine again, added later by phone: a session tomorrow with its
    messages, a screening, a link, a consent given, a read of her answers,
    a place on the waitlist, a course booked, and a record merged into this
    one before."""
    again = client_create(
        salon=scene.salon, given_name="Sabine", family_name="Kruger", phone="0170 9876543",
        email="", date_of_birth=datetime.date(1985, 4, 12), front_desk_notes="Prefers Anna",
        consent_reminders=True, by=receptionist,
    )  # fmt: skip
    client_update(client=scene.client, email="sabine@example.com", phone="")
    screening_for(again, allergies="almond oil", pressure_preference="light")
    appointment = book(scene, routine, tomorrow, 10, client=again)
    link, _ = client_link_create(client=again, purpose=ClientLink.Purpose.INTAKE)
    health_access_log(client=again, action=HealthDataAccess.Action.VIEW, user=UserFactory(roles=[Role.MANAGER]))
    earlier = client_create(salon=scene.salon, given_name="S", family_name="K", email="s.k@example.com")
    client_merge(keep=again, merge=earlier, by=receptionist)
    WaitlistEntry.objects.create(
        salon=scene.salon, routine=routine, first_day=tomorrow, last_day=tomorrow, given_name="Sabine",
        family_name="Kruger", phone=again.phone, client=again, nonce="waiting-for-a-time",
    )  # fmt: skip
    Course.objects.create(client=again, routine=routine, salon=scene.salon, planned=6, interval_days=7)
    return {"client": Client.objects.get(pk=again.pk), "appointment": appointment, "link": link,
            "earlier": earlier}  # fmt: skip


def rows_naming(client) -> dict:
    return {
        label: model._base_manager.filter(**{field: client}).count()
        for label, model, field in client_relations()
        if MERGE_RELATIONS[label] == MOVE
    }


def test_a_merge_moves_every_relation_fills_empty_fields_and_keeps_the_merged_record(scene, duplicate, receptionist):
    sabine, again = scene.client, duplicate["client"]
    before = rows_naming(again)
    assert all(before.values()), before  # the fixture names her in every relation

    record = client_merge(keep=sabine, merge=again, by=receptionist)

    assert all(count == 0 for count in rows_naming(again).values())
    after = rows_naming(sabine)
    assert all(after[label] >= count for label, count in before.items())
    duplicate["appointment"].refresh_from_db()
    assert duplicate["appointment"].client == sabine
    assert sabine.screenings.get().allergies == "almond oil"
    assert Notification.objects.filter(appointment=duplicate["appointment"], client=sabine).exists()
    duplicate["earlier"].refresh_from_db()
    assert duplicate["earlier"].merged_into == sabine  # the older duplicate leads here too
    sabine.refresh_from_db()
    assert sabine.phone == "+491709876543"  # filled: it was empty
    assert sabine.date_of_birth == datetime.date(1985, 4, 12)
    assert sabine.front_desk_notes == "Prefers Anna"
    assert sabine.email == "sabine@example.com"  # kept: it was not
    assert sabine.consent_reminders is False  # her consents stay hers
    again.refresh_from_db()
    assert (again.archived, again.merged_into, again.given_name) == (True, sabine, "Sabine")
    assert again.merged_at is not None
    assert (record.kept, record.merged, record.by) == (sabine, again, receptionist)
    assert record.moved["treatments.appointment.client"] == 1
    assert record.filled == ["phone", "date_of_birth", "front_desk_notes"]
    assert HealthDataAccess.objects.filter(client=sabine, action="merge", user=receptionist).exists()


def test_after_a_merge_the_moved_sessions_follow_the_kept_record(scene, duplicate, receptionist):
    sabine, again = scene.client, duplicate["client"]

    client_merge(keep=sabine, merge=again, by=receptionist)

    appointment = Appointment.objects.select_related("plan").get(pk=duplicate["appointment"].pk)
    assert f"Client record {again.pk} was merged into this one" in appointment.plan.change_note
    # Sabine did not agree to reminders: the duplicate's waiting ones do not go out.
    assert not Notification.objects.filter(appointment=appointment, kind="reminder", status="pending").exists()


def test_old_links_and_addresses_of_the_merged_record_lead_to_the_kept_one(scene, duplicate, receptionist, desk):
    sabine, again = scene.client, duplicate["client"]
    _, url = client_link_create(client=again, purpose=ClientLink.Purpose.INTAKE)

    client_merge(keep=sabine, merge=again, by=receptionist)

    token = url.rstrip("/").rsplit("/", 1)[1]
    assert client_link_usable(token=token, purpose=ClientLink.Purpose.INTAKE).client == sabine
    response = desk.get(f"/clients/{again.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/clients/{sabine.pk}/"
    assert "was merged into this record" in desk.get(response["Location"]).content.decode()


def test_a_merge_is_one_transaction(scene, duplicate, receptionist):
    sabine, again = scene.client, duplicate["client"]

    def fail(sender, **kwargs):
        raise Conflict("The outbox is not available.", code="outbox_down")

    consents_changed.connect(fail, dispatch_uid="test.fail")
    try:
        with pytest.raises(Conflict):
            client_merge(keep=sabine, merge=again, by=receptionist)
    finally:
        consents_changed.disconnect(dispatch_uid="test.fail")

    duplicate["appointment"].refresh_from_db()
    assert duplicate["appointment"].client == again
    assert HealthScreening.objects.filter(client=again).exists()
    again.refresh_from_db()
    assert (again.archived, again.merged_into) == (False, None)
    assert not ClientMerge.objects.filter(merged=again).exists()


def test_erasing_the_kept_record_erases_what_was_merged_into_it(scene, duplicate, receptionist):
    sabine, again = scene.client, duplicate["client"]
    client_merge(keep=sabine, merge=again, by=receptionist)

    services.client_erase(client=sabine, user=receptionist)

    again.refresh_from_db()
    assert (again.given_name, again.phone, again.erased_at is not None) == ("Erased", "", True)


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("itself", "merge_same_client"),
        ("other business", "merge_other_business"),
        ("merged already", "client_already_merged"),
        ("into a merged record", "client_already_merged"),
        ("into an archived record", "client_archived"),
    ],
)
def test_merges_that_cannot_be_are_refused_with_a_code(scene, receptionist, case, code):
    sabine = scene.client
    other = client_create(salon=scene.salon, given_name="Sabine", family_name="K", email="sabine@example.com")
    keep, merge = sabine, other
    if case == "itself":
        merge = sabine
    elif case == "other business":
        merge = client_create(salon=SalonFactory(), given_name="Sabine", family_name="K", email="sabine@example.com")
    elif case == "merged already":
        client_merge(keep=sabine, merge=other, by=receptionist)
        keep, merge = client_create(salon=scene.salon, given_name="A", family_name="B", email="a@b.example"), other
    elif case == "into a merged record":
        client_merge(keep=sabine, merge=other, by=receptionist)
        keep, merge = other, client_create(salon=scene.salon, given_name="A", family_name="B", email="a@b.example")
    else:
        services.client_archive(client=sabine)

    with pytest.raises(Conflict) as refused:
        client_merge(keep=keep, merge=merge, by=receptionist)

    assert refused.value.code == code


def test_only_the_desk_and_managers_merge(scene, api_client, client, routine, tomorrow):
    other = client_create(salon=scene.salon, given_name="Sabine", family_name="K", email="sabine@example.com")
    book(scene, routine, tomorrow, 10)
    book(scene, routine, tomorrow, 12, client=other)
    anna = scene.therapist.user

    with pytest.raises(Forbidden):
        client_merge(keep=scene.client, merge=other, by=anna)
    api_client.force_authenticate(anna)
    assert api_client.post(f"/api/v1/clients/{scene.client.pk}/merge/", {"merge": other.pk}).status_code == 403
    sign_in(client, anna)
    assert client.get(f"/clients/{scene.client.pk}/merge/?merge={other.pk}").status_code == 403
    assert client.post(f"/clients/{scene.client.pk}/merge/", {"merge": other.pk}).status_code == 403
    other.refresh_from_db()
    assert other.merged_into is None


def test_the_merge_page_shows_both_records_side_by_side_then_merges(scene, duplicate, desk, receptionist):
    sabine, again = scene.client, duplicate["client"]
    url = f"/clients/{sabine.pk}/merge/?merge={again.pk}"

    page = desk.get(url)

    assert page.status_code == 200
    html = page.content.decode()
    assert f'Kept: Sabine Krüger<br><span class="muted">client {sabine.pk}' in html
    assert f'Merged into it: Sabine Kruger<br><span class="muted">client {again.pk}' in html
    assert "sabine@example.com" in html
    assert "+491709876543" in html
    assert html.count('<span class="badge">to be filled from the other</span>') == 3  # phone, date of birth, notes
    assert "almond" not in html  # counts, never answers
    assert f'href="/clients/{again.pk}/merge/?merge={sabine.pk}"' in html  # keep the other instead

    response = desk.post(f"/clients/{sabine.pk}/merge/", {"merge": again.pk})

    assert response.status_code == 302
    assert response["Location"] == f"/clients/{sabine.pk}/"
    assert ClientMerge.objects.filter(kept=sabine, merged=again, by=receptionist).exists()
    assert "Merged Sabine Kruger" in desk.get(f"/clients/{sabine.pk}/").content.decode()


def test_the_merge_page_refuses_in_place_and_offers_no_button(scene, desk, receptionist):
    other = client_create(salon=scene.salon, given_name="Sabine", family_name="K", email="sabine@example.com")
    client_merge(keep=scene.client, merge=other, by=receptionist)
    third = client_create(salon=scene.salon, given_name="Sabine", family_name="K", email="k@example.com")

    shown = desk.get(f"/clients/{third.pk}/merge/?merge={other.pk}")
    posted = desk.post(f"/clients/{third.pk}/merge/", {"merge": other.pk})

    for response in (shown, posted):
        assert response.status_code == 409
        assert "was merged into client" in response.content.decode()
        assert 'name="merge"' not in response.content.decode()
    assert desk.get(f"/clients/{third.pk}/merge/").status_code == 400  # which record?
    assert desk.get(f"/clients/{third.pk}/merge/?merge=abc").status_code == 400
    assert desk.get(f"/clients/{third.pk}/merge/?merge=999999").status_code == 404
    elsewhere = client_create(salon=SalonFactory(), given_name="Far", family_name="Away", email="far@example.com")
    across = desk.get(f"/clients/{third.pk}/merge/?merge={elsewhere.pk}")
    assert across.status_code == 409
    assert "far@example.com" not in across.content.decode()


def test_the_api_merges_lists_duplicates_and_refuses_with_codes(scene, api_client, manager):
    other = client_create(salon=scene.salon, given_name="Sabine", family_name="K", phone="0170 9876543")
    api_client.force_authenticate(manager)

    listed = api_client.get(f"/api/v1/clients/{scene.client.pk}/duplicates/")
    merged = api_client.post(f"/api/v1/clients/{scene.client.pk}/merge/", {"merge": other.pk}, format="json")
    again = api_client.post(f"/api/v1/clients/{scene.client.pk}/merge/", {"merge": other.pk}, format="json")
    itself = api_client.post(f"/api/v1/clients/{scene.client.pk}/merge/", {"merge": scene.client.pk}, format="json")
    missing = api_client.post(f"/api/v1/clients/{scene.client.pk}/merge/", {"merge": 10**9}, format="json")
    empty = api_client.post(f"/api/v1/clients/{scene.client.pk}/merge/", {}, format="json")

    assert listed.status_code == 200
    assert [(row["id"], row["reasons"]) for row in listed.json()] == [(other.pk, ["same phone"])]
    assert merged.status_code == 200
    assert (merged.json()["kept"], merged.json()["merged"], merged.json()["by"]) == (
        scene.client.pk,
        other.pk,
        "manager-test",
    )
    assert (again.status_code, again.json()["code"]) == (409, "client_already_merged")
    assert (itself.status_code, itself.json()["code"]) == (409, "merge_same_client")
    assert missing.status_code == 404
    assert (empty.status_code, list(empty.json()["fields"])) == (400, ["merge"])
    assert api_client.get(f"/api/v1/clients/{other.pk}/").json()["merged_into"] == scene.client.pk
    patched = api_client.patch(f"/api/v1/clients/{other.pk}/", {"phone": "+49 170 1112223"}, format="json")
    assert (patched.status_code, patched.json()["code"]) == (409, "client_merged")
    restored = api_client.post(f"/api/v1/clients/{other.pk}/restore/")
    assert (restored.status_code, restored.json()["code"]) == (409, "client_merged")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_desks_merging_the_same_pair_at_once_cannot_both_win():
    """One desk merges B into A while another merges A into B: both rows are
    locked in the same order, so one waits, then finds its record merged."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from django.db import connections

    scene = salon_scenario(clients=[SABINE])
    desks = [UserFactory(roles=[Role.RECEPTIONIST]) for _ in range(2)]

    def merge(keep, other, by, start):
        try:
            start.wait()
            client_merge(keep=keep, merge=other, by=by)
            return "merged"
        except Conflict as refused:
            return refused.code
        finally:
            connections.close_all()

    for _ in range(5):
        first = client_create(salon=scene.salon, given_name="Sabine", family_name="K", email="sabine@example.com")
        second = client_create(salon=scene.salon, given_name="Sabine", family_name="K", email="sabine@example.com")
        start = Barrier(2)

        with ThreadPoolExecutor(max_workers=2) as pool:
            outcomes = sorted(pool.map(merge, [first, second], [second, first], desks, [start, start]))

        assert outcomes == ["client_already_merged", "merged"]
        first.refresh_from_db()
        second.refresh_from_db()
        assert [first.merged_into_id, second.merged_into_id].count(None) == 1
