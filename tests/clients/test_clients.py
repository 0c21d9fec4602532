import datetime

import pytest

from clients.models import Client, HealthDataAccess, HealthScreening
from clients.selectors import client_duplicates, client_search, latest_screenings
from clients.services import client_create, client_update, screening_clear, screening_confirm_unchanged
from salon.errors import Conflict, Forbidden, InvalidInput
from salon.roles import Role
from tests.factories import ClientFactory, SalonFactory, TherapistFactory, UserFactory, screening_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def salon():
    return SalonFactory(phone_region="DE")


def test_phone_numbers_are_stored_in_international_form(salon):
    client = client_create(salon=salon, given_name="Thomas", family_name="Müller", phone="0170 987 6543")

    assert client.phone == "+491709876543"


@pytest.mark.parametrize("phone", ["12", "call me", "+49 000"])
def test_an_invalid_phone_number_is_refused_naming_the_field(salon, phone):
    with pytest.raises(InvalidInput) as refused:
        client_create(salon=salon, given_name="Thomas", family_name="Müller", phone=phone)

    assert "phone" in refused.value.fields
    assert Client.objects.count() == 0


def test_a_client_needs_an_email_or_a_phone(salon):
    with pytest.raises(InvalidInput) as refused:
        client_create(salon=salon, given_name="No", family_name="Contact")

    assert "Give an email address or a phone number." in str(refused.value)


def test_email_is_stored_lower_case(salon):
    client = client_create(salon=salon, given_name="Leonie", family_name="Schmitt", email=" Leonie@Example.ORG ")

    assert client.email == "leonie@example.org"


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("müll", ["Müller"]),
        ("MULL", ["Müller"]),
        ("thomas m", ["Müller"]),
        ("yilm", ["Yılmaz"]),
        ("0170 98", ["Müller"]),
        ("+49170", ["Müller"]),
        ("004917", ["Müller"]),
        ("leonie@", ["Schmitt"]),
        ("sch", ["Schmitt", "Schmitz"]),
        ("nobody", []),
    ],
)
def test_search_by_name_phone_or_email(salon, query, found):
    client_create(salon=salon, given_name="Thomas", family_name="Müller", phone="0170 9876543")
    client_create(salon=salon, given_name="Leonie", family_name="Schmitt", email="leonie@example.org")
    client_create(salon=salon, given_name="Paul", family_name="Schmitz", email="paul@example.org")
    client_create(salon=salon, given_name="Mehmet", family_name="Yılmaz", email="m@example.net")

    results = client_search(salon=salon, query=query)

    assert sorted(client.family_name for client in results) == found


def test_archived_clients_are_left_out_of_search_unless_asked(salon):
    client = client_create(salon=salon, given_name="Ada", family_name="Archived", email="ada@example.com")
    Client.objects.filter(pk=client.pk).update(archived=True)

    assert list(client_search(salon=salon, query="ada")) == []
    assert list(client_search(salon=salon, query="ada", include_archived=True)) == [client]


def test_duplicates_are_flagged_by_email_or_phone(salon):
    first = client_create(salon=salon, given_name="Anna", family_name="Berg", email="anna@example.com")
    second = client_create(salon=salon, given_name="Anna", family_name="Berg-Lind", email="anna@example.com")
    other = client_create(salon=salon, given_name="Bo", family_name="Berg", phone="+49 30 7788990")

    assert list(client_duplicates(client=second)) == [first]
    assert list(client_duplicates(client=other)) == []


def test_updating_a_name_updates_the_search_keys(salon):
    client = client_create(salon=salon, given_name="Jo", family_name="Old", email="jo@example.com")

    client_update(client=client, family_name="Neumann")

    assert list(client_search(salon=salon, query="neum")) == [client]


def test_a_new_screening_keeps_the_old_ones_and_is_logged():
    client = ClientFactory()
    first = screening_for(client, pressure_preference="light")

    second = screening_for(client, pressure_preference="medium")

    assert list(client.screenings.all()) == [second, first]
    assert HealthDataAccess.objects.filter(client=client, action="create").count() == 2


def test_a_screening_needs_both_consents():
    client = ClientFactory()

    with pytest.raises(InvalidInput):
        screening_for(client, consent_health_data=False)

    assert HealthScreening.objects.count() == 0


def test_an_invalid_pain_map_is_refused():
    client = ClientFactory()

    with pytest.raises(InvalidInput) as refused:
        screening_for(client, pain_map=[{"area": "lower_back", "side": "left", "intensity": 11}])

    assert "pain_map" in refused.value.fields


def test_only_the_latest_screening_can_be_confirmed():
    client = ClientFactory()
    old = screening_for(client)
    latest = screening_for(client)

    screening_confirm_unchanged(screening=latest)
    with pytest.raises(Conflict):
        screening_confirm_unchanged(screening=old)

    latest.refresh_from_db()
    assert latest.confirmed_at is not None


def test_a_clearance_needs_a_blocking_rule_and_a_note():
    client = ClientFactory()
    screening = screening_for(client, acute_spinal_inflammation=True)
    therapist = TherapistFactory(salon=client.business.locations.get(), qualified_therapeutic=True).user

    with pytest.raises(InvalidInput) as wrong_rule:
        screening_clear(screening=screening, rule="pregnancy", cleared_by=therapist, note="fine")
    with pytest.raises(InvalidInput) as no_note:
        screening_clear(screening=screening, rule="acute_spinal_inflammation", cleared_by=therapist, note=" ")
    clearance = screening_clear(
        screening=screening, rule="acute_spinal_inflammation", cleared_by=therapist, note="Settled, GP letter seen."
    )

    assert "rule" in wrong_rule.value.fields
    assert "note" in no_note.value.fields
    assert clearance.cleared_by == therapist
    assert HealthDataAccess.objects.filter(client=client, action="clear", user=therapist).exists()
    lasts = clearance.expires_at - clearance.cleared_at
    assert abs(lasts.total_seconds() - client.business.clearance_valid_days * 86400) < 5


def test_only_a_manager_or_a_therapeutically_qualified_therapist_lifts_a_block():
    client = ClientFactory()
    screening = screening_for(client, acute_spinal_inflammation=True)
    unqualified = TherapistFactory(salon=client.business.locations.get(), qualified_therapeutic=False).user
    manager = UserFactory(roles=[Role.MANAGER])

    with pytest.raises(Forbidden):
        screening_clear(screening=screening, rule="acute_spinal_inflammation", cleared_by=unqualified, note="ok")

    assert screening_clear(screening=screening, rule="acute_spinal_inflammation", cleared_by=manager, note="GP letter")


def test_a_clearance_ends_and_the_block_returns():
    from datetime import timedelta

    from django.utils import timezone

    from clients.models import ScreeningClearance
    from clients.selectors import client_outcome

    client = ClientFactory()
    screening = screening_for(client, acute_spinal_inflammation=True)
    manager = UserFactory(roles=[Role.MANAGER])
    clearance = screening_clear(screening=screening, rule="acute_spinal_inflammation", cleared_by=manager, note="ok")
    assert not client_outcome(client).blocking_findings

    ScreeningClearance.objects.filter(pk=clearance.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    assert [finding.rule for finding in client_outcome(client).blocking_findings] == ["acute_spinal_inflammation"]


def test_a_therapist_marks_areas_to_keep_away_from_and_it_settles_a_wound_without_a_place():
    from clients.models import HealthScreening
    from clients.selectors import client_outcome
    from clients.services import screening_areas_mark

    client = ClientFactory()
    screening = screening_for(client)
    HealthScreening.objects.filter(pk=screening.pk).update(skin_injuries=True)  # an older screening, no place
    screening.refresh_from_db()
    therapist = TherapistFactory(salon=client.business.locations.get(), qualified_therapeutic=True).user
    assert client_outcome(client).blocked_areas  # nothing may be massaged until someone looks

    mark = screening_areas_mark(screening=screening, areas=["mid_back"], marked_by=therapist, note="Graze, healing")

    outcome = client_outcome(client)
    assert outcome.blocked_areas == frozenset()
    assert outcome.avoid_areas == frozenset({"mid_back"})
    assert (mark.cleared_by, mark.areas) == (therapist, ["mid_back"])
    assert HealthDataAccess.objects.filter(client=client, action="clear", user=therapist).exists()


def test_settling_a_wound_without_a_place_needs_the_right_person_and_a_reason():
    from clients.services import screening_areas_mark

    client = ClientFactory()
    screening = screening_for(client)
    HealthScreening.objects.filter(pk=screening.pk).update(skin_injuries=True)
    screening.refresh_from_db()
    unqualified = TherapistFactory(salon=client.business.locations.get(), qualified_therapeutic=False).user
    manager = UserFactory(roles=[Role.MANAGER])

    with pytest.raises(Forbidden):
        screening_areas_mark(screening=screening, areas=["neck"], marked_by=unqualified, note="Looked")
    with pytest.raises(InvalidInput) as no_reason:
        screening_areas_mark(screening=screening, areas=["neck"], marked_by=manager, note=" ")

    assert "note" in no_reason.value.fields
    assert screening_areas_mark(screening=screening, areas=["neck"], marked_by=manager, note="Graze on the neck")


@pytest.mark.parametrize(("notes", "found"), [
    ("New clothes, discount voucher, discussed times", []),
    ("Had a blood clot last year", ["blood", "clot"]),
    ("Back pain, Bandscheibe", ["bandscheibe", "pain"]),
])  # fmt: skip
def test_health_looking_words_in_front_desk_notes(notes, found):
    from clients.selectors import health_words_in

    assert health_words_in(notes) == found


def test_the_latest_screenings_are_each_clients_newest_by_time_not_by_id(django_assert_num_queries):
    # Given a client screened three times, the second screening stamped latest,
    # and another client screened once
    client, other = ClientFactory(), ClientFactory()
    screening_for(client)
    newest, third = screening_for(client), screening_for(client)
    HealthScreening.objects.filter(pk=newest.pk).update(created_at=third.created_at + datetime.timedelta(minutes=1))
    others = screening_for(other)

    # When the day's pages ask for the latest screening of each
    with django_assert_num_queries(2):
        latest = latest_screenings([client, other])

    # Then each client's newest comes, with its clearances read, and no other
    assert {owner: screening.pk for owner, screening in latest.items()} == {client.pk: newest.pk, other.pk: others.pk}
