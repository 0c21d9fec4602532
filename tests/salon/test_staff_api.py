"""The staff API, /api/v1/staff/, for managers: list their locations'
staff, invite (201, an email, no password), read, change, deactivate (409
with the sessions ahead, or cancel them and tell the clients), reactivate,
resend the invitation. Bad input is a 400 naming the field; the rules about
whose locations and whose account are 403/404/409 with a code."""

import datetime

import pytest
from django.core import mail
from knox.models import AuthToken

from salon.models import Therapist, User
from salon.roles import Role
from sessions.models import Appointment, Notification
from sessions.services.booking import appointment_book
from tests.factories import TherapistFactory, UserFactory, short_routine
from tests.helpers import at, openapi_schema
from tests.scenario import salon_scenario

pytestmark = pytest.mark.django_db

URL = "/api/v1/staff/"


@pytest.fixture
def scene():
    return salon_scenario(therapists=[{"display_name": "Anna", "user__username": "anna"}], rooms=["Linden", "Birke"])


@pytest.fixture
def elsewhere(scene):
    """A second location with a therapist of its own."""
    london, rooms = scene.location_add(name="London", time_zone="Europe/London", rooms=["Thames"])
    return london, rooms, TherapistFactory(salon=london, display_name="Lou", user__username="lou")


@pytest.fixture
def boss(scene):
    return UserFactory(username="boss", roles=[Role.MANAGER])


@pytest.fixture
def local_boss(scene):
    """A manager of the first location only."""
    manager = UserFactory(username="local-boss", roles=[Role.MANAGER], all_locations=False)
    manager.locations.add(scene.salon)
    return manager


@pytest.fixture
def as_user(api_client):
    def as_user(user):
        api_client.force_authenticate(user)
        return api_client

    return as_user


def invitation(scene, **fields) -> dict:
    body = {
        "username": "mara",
        "email": "mara@example.com",
        "first_name": "Mara",
        "last_name": "Lind",
        "roles": ["Therapist"],
        "locations": [scene.salon.pk],
        "display_name": "Mara",
        "qualified_therapeutic": True,
        "qualified_pregnancy": True,
        "rooms": [scene.rooms[1].pk],
    }
    body.update(fields)
    return body


def test_a_manager_invites_a_therapist(
    as_user, boss, scene, eager_celery, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    with django_capture_on_commit_callbacks(execute=True):
        answer = as_user(boss).post(URL, invitation(scene), format="json")

    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["state"] == "invited"
    assert body["roles"] == ["Therapist"]
    assert body["locations"] == [scene.salon.pk]
    assert body["display_name"] == "Mara"
    assert body["qualified_therapeutic"]
    assert body["qualified_pregnancy"]
    assert body["rooms"] == [scene.rooms[1].pk]
    assert "password" not in body
    mara = User.objects.get(username="mara")
    assert mara.invited_at is not None  # once the email went, after the commit
    assert not mara.has_usable_password()
    assert Therapist.objects.get(user=mara).rooms.get() == scene.rooms[1]
    assert [message.to for message in mail.outbox] == [["mara@example.com"]]


def test_receptionists_and_managers_are_invited_the_same_way(as_user, boss, scene):
    answer = as_user(boss).post(
        URL, invitation(scene, username="rita", email="rita@example.com", roles=["Receptionist", "Manager"]),
        format="json",
    )  # fmt: skip

    assert answer.status_code == 201
    assert answer.json()["roles"] == ["Receptionist", "Manager"]
    assert answer.json()["therapist"] is None
    assert not Therapist.objects.filter(user__username="rita").exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"username": "anna"}, "username"),  # Anna's login
        ({"username": "no spaces"}, "username"),
        ({"email": "not-an-email"}, "email"),
        ({"email": ""}, "email"),
        ({"first_name": ""}, "first_name"),
        ({"roles": []}, "roles"),
        ({"roles": ["Superuser"]}, "roles.0"),
        ({"locations": []}, "locations"),
        ({"locations": [987654]}, "locations.0"),
        ({"display_name": "Anna"}, "display_name"),  # another therapist is shown so
        ({"rooms": ["x"]}, "rooms.0"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(as_user, boss, scene, change, field):
    answer = as_user(boss).post(URL, invitation(scene, **change), format="json")

    assert answer.status_code == 400, answer.json()
    assert field in answer.json()["fields"], answer.json()
    assert not User.objects.filter(email="mara@example.com").exists()


def test_the_same_email_twice_is_refused(as_user, boss, scene):
    as_user(boss).post(URL, invitation(scene), format="json")

    again = as_user(boss).post(URL, invitation(scene, username="mara2", display_name="Mara L."), format="json")

    assert again.status_code == 400
    assert "email" in again.json()["fields"]


def test_a_room_at_a_location_the_person_is_not_granted_is_refused(as_user, boss, scene, elsewhere):
    _, (thames,), _ = elsewhere

    answer = as_user(boss).post(URL, invitation(scene, rooms=[thames.pk]), format="json")

    assert answer.status_code == 400
    assert "rooms" in answer.json()["fields"]


def test_a_manager_grants_only_their_own_locations(as_user, local_boss, scene, elsewhere):
    london, _, _ = elsewhere

    theirs = as_user(local_boss).post(URL, invitation(scene, locations=[london.pk]), format="json")
    every = as_user(local_boss).post(URL, invitation(scene, all_locations=True, locations=[]), format="json")

    assert theirs.status_code == 403
    assert theirs.json()["code"] == "location_forbidden"
    assert every.status_code == 403
    assert "all_locations" in every.json()["fields"]


def test_a_manager_lists_only_their_locations_staff(
    as_user, local_boss, scene, elsewhere, django_assert_max_num_queries
):
    UserFactory(username="root", is_superuser=True)
    UserFactory(username="everywhere", roles=[Role.RECEPTIONIST])  # granted every location
    for number in range(5):
        TherapistFactory(salon=scene.salon, user__username=f"extra{number}")

    with django_assert_max_num_queries(12):
        answer = as_user(local_boss).get(URL)

    names = {row["username"] for row in answer.json()["results"]}
    assert {"anna", "everywhere", "local-boss", "extra4"} <= names
    assert "lou" not in names
    assert "root" not in names


def test_the_list_follows_the_location_asked_for(as_user, boss, scene, elsewhere):
    london, _, _ = elsewhere

    answer = as_user(boss).get(URL, {"location": london.pk})

    names = {row["username"] for row in answer.json()["results"]}
    assert "lou" in names
    assert "anna" not in names


@pytest.mark.parametrize("role", [Role.RECEPTIONIST, Role.THERAPIST])
def test_only_managers(as_user, scene, role):
    assert as_user(UserFactory(roles=[role])).get(URL).status_code == 403


def test_staff_outside_the_managers_locations_and_superusers_read_as_not_found(as_user, local_boss, elsewhere):
    _, _, lou = elsewhere
    root = UserFactory(username="root", is_superuser=True)

    assert as_user(local_boss).get(f"{URL}{lou.user.pk}/").status_code == 404
    assert as_user(local_boss).patch(f"{URL}{lou.user.pk}/", {"first_name": "X"}, format="json").status_code == 404
    assert as_user(local_boss).get(f"{URL}{root.pk}/").status_code == 404


def test_a_manager_of_some_locations_may_not_change_someone_granted_all(as_user, local_boss, scene):
    everywhere = UserFactory(username="everywhere", roles=[Role.MANAGER])

    answer = as_user(local_boss).post(f"{URL}{everywhere.pk}/deactivate/", {}, format="json")

    assert answer.status_code == 403
    assert User.objects.get(pk=everywhere.pk).is_active


def test_a_manager_changes_qualifications_rooms_and_roles(as_user, boss, scene):
    anna = scene.therapist

    answer = as_user(boss).patch(
        f"{URL}{anna.user.pk}/",
        {"qualified_pregnancy": True, "rooms": [scene.rooms[0].pk], "roles": ["Therapist", "Receptionist"]},
        format="json",
    )

    assert answer.status_code == 200, answer.json()
    assert answer.json()["qualified_pregnancy"]
    assert answer.json()["rooms"] == [scene.rooms[0].pk]
    assert answer.json()["roles"] == ["Receptionist", "Therapist"]
    assert answer.json()["display_name"] == "Anna"  # not sent, not changed


def test_a_local_manager_leaves_someone_who_also_works_elsewhere_alone(as_user, local_boss, scene, elsewhere):
    london, _, _ = elsewhere
    anna = scene.therapist
    anna.user.locations.add(london)
    api = as_user(local_boss)

    moved = api.patch(f"{URL}{anna.user.pk}/", {"locations": [scene.salon.pk]}, format="json")
    promoted = api.patch(f"{URL}{anna.user.pk}/", {"roles": ["Therapist", "Manager"]}, format="json")
    readdressed = api.patch(f"{URL}{anna.user.pk}/", {"email": "someone.else@example.com"}, format="json")

    assert (moved.status_code, promoted.status_code, readdressed.status_code) == (403, 403, 403)
    assert moved.json()["code"] == "location_forbidden"
    assert set(anna.user.locations.all()) == {scene.salon, london}
    assert not anna.user.groups.filter(name="Manager").exists()
    assert api.get(f"{URL}{anna.user.pk}/").status_code == 200  # still seen: she works here too


def test_a_manager_keeps_their_own_manager_role_and_account(as_user, boss):
    demote = as_user(boss).patch(f"{URL}{boss.pk}/", {"roles": ["Receptionist"]}, format="json")
    leave = as_user(boss).post(f"{URL}{boss.pk}/deactivate/", {}, format="json")

    assert demote.status_code == 409
    assert demote.json()["code"] == "own_account"
    assert leave.status_code == 409
    assert leave.json()["code"] == "own_account"


def test_deactivating_a_therapist_with_sessions_ahead(as_user, boss, scene):
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    anna = scene.therapist
    session = appointment_book(client=scene.client, routine=short_routine(), start=at(tomorrow, 10), therapist=anna)
    AuthToken.objects.create(user=anna.user)

    refused = as_user(boss).post(f"{URL}{anna.user.pk}/deactivate/", {}, format="json")
    no_reason = as_user(boss).post(f"{URL}{anna.user.pk}/deactivate/", {"cancel_bookings": True}, format="json")
    done = as_user(boss).post(
        f"{URL}{anna.user.pk}/deactivate/", {"cancel_bookings": True, "reason": "Anna has left"}, format="json"
    )

    assert refused.status_code == 409
    assert refused.json()["code"] == "bookings_in_the_way"
    assert f"{tomorrow:%a %d %b %Y} 10:00" in refused.json()["fields"]["cancel_bookings"][0]
    assert no_reason.status_code == 400
    assert "reason" in no_reason.json()["fields"]
    assert done.status_code == 200
    assert done.json()["cancelled"] == [session.pk]
    assert done.json()["staff"]["state"] == "inactive"
    session.refresh_from_db()
    assert session.status == Appointment.Status.CANCELLED
    assert Notification.objects.filter(appointment=session, kind=Notification.Kind.CANCELLATION).exists()
    assert not AuthToken.objects.filter(user=anna.user).exists()

    back = as_user(boss).post(f"{URL}{anna.user.pk}/reactivate/", {}, format="json")

    assert back.status_code == 200
    assert back.json()["state"] == "active"
    assert Therapist.objects.get(pk=anna.pk).active


def test_resending_an_invitation(as_user, boss, scene, eager_celery, django_capture_on_commit_callbacks):
    mara = as_user(boss).post(URL, invitation(scene), format="json").json()

    with django_capture_on_commit_callbacks(execute=True):
        again = as_user(boss).post(f"{URL}{mara['id']}/resend-invitation/", {}, format="json")
    accepted = as_user(boss).post(f"{URL}{scene.therapist.user.pk}/resend-invitation/", {}, format="json")

    assert again.status_code == 200
    assert len(mail.outbox) == 1  # the first went nowhere: its transaction is the test's
    assert accepted.status_code == 409
    assert accepted.json()["code"] == "invitation_accepted"


def test_a_non_numeric_id_is_a_400_naming_it(as_user, boss):
    answer = as_user(boss).get(f"{URL}abc/")

    assert answer.status_code == 400
    assert "id" in answer.json()["fields"]


def test_the_schema_documents_the_staff_operations():
    paths = openapi_schema()["paths"]

    assert set(paths[URL]) >= {"get", "post"}
    assert set(paths[URL + "{id}/"]) >= {"get", "patch"}
    for action in ["deactivate", "reactivate", "resend-invitation"]:
        assert "post" in paths[f"{URL}{{id}}/{action}/"]
    created = paths[URL]["post"]["responses"]["201"]["content"]["application/json"]["schema"]["$ref"]
    assert created.endswith("/Staff")


def test_giving_a_receptionist_the_therapist_role_puts_her_on_the_desk(as_user, boss, scene):
    rita = UserFactory(username="rita", first_name="Rita", last_name="Roth", roles=[Role.RECEPTIONIST],
                       all_locations=False)  # fmt: skip
    rita.locations.add(scene.salon)

    answer = as_user(boss).patch(
        f"{URL}{rita.pk}/", {"roles": ["Receptionist", "Therapist"], "qualified_pregnancy": True}, format="json"
    )

    assert answer.status_code == 200, answer.json()
    therapist = Therapist.objects.get(user=rita)
    assert therapist.display_name == "Rita Roth"  # none given: the full name
    assert therapist.qualified_pregnancy
    assert therapist.active
    assert list(rita.locations.all()) == [scene.salon]

    taken_back = as_user(boss).patch(f"{URL}{rita.pk}/", {"roles": ["Receptionist"]}, format="json")

    assert taken_back.status_code == 200
    assert not Therapist.objects.get(user=rita).active  # off the desk; nothing was booked
