"""The manager's staff pages: the list of the location's staff, adding a
person by invitation, changing them, deactivating (refused with the
sessions ahead listed and linked to the front desk, or cancelled and the
clients told), reactivating, lifting a lockout; only managers, and only
over their own locations' staff."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.core import mail

from salon.models import Therapist, User
from salon.roles import Role
from sessions.models import Appointment, Notification
from sessions.services.booking import appointment_book
from tests.factories import TherapistFactory, UserFactory, short_routine
from tests.helpers import at, sign_in
from tests.scenario import salon_scenario

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene():
    return salon_scenario(
        therapists=[{"display_name": "Anna", "user__username": "anna", "user__first_name": "Anna",
                     "user__last_name": "Krause", "qualified_pregnancy": True}],
        rooms=["Linden", "Birke"],
    )  # fmt: skip


@pytest.fixture
def anna(scene):
    return scene.therapist


@pytest.fixture
def boss(scene):
    return UserFactory(username="boss", first_name="Petra", last_name="Boss", roles=[Role.MANAGER])


@pytest.fixture
def manager_page(client, boss):
    sign_in(client, boss)
    return client


@pytest.fixture
def tomorrow():
    return datetime.date.today() + datetime.timedelta(days=1)


def new_person(scene, **fields) -> dict:
    form = {
        "first_name": "Mara",
        "last_name": "Lind",
        "username": "mara",
        "email": "mara@example.com",
        "roles": ["Therapist"],
        "locations": [scene.salon.pk],
        "display_name": "Mara",
        "qualified_therapeutic": "on",
        "qualified_pregnancy": "on",
        "rooms": [scene.rooms[1].pk],
    }
    form.update(fields)
    return form


def details_of(person: User, **changes) -> dict:
    """The person's page form as it stands, with ``changes``."""
    therapist = Therapist.objects.filter(user=person).first()
    form = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "roles": [group.name for group in person.groups.all()],
        "locations": [location.pk for location in person.locations.all()],
    }
    if person.all_locations:
        form["all_locations"] = "on"
    if therapist:
        form["display_name"] = therapist.display_name
        form["rooms"] = [room.pk for room in therapist.rooms.all()]
        for name in ("qualified_therapeutic", "qualified_pregnancy"):
            if getattr(therapist, name):
                form[name] = "on"
    form.update(changes)
    return {name: value for name, value in form.items() if value is not None}


def test_manage_starts_with_the_staff_list(manager_page):
    answer = manager_page.get("/manage/")

    assert answer.status_code == 302
    assert answer["Location"] == "/manage/staff/"


def test_the_list_shows_the_locations_staff_with_roles_state_and_qualifications(
    manager_page, boss, scene, anna, django_assert_max_num_queries
):
    london, _ = scene.location_add(name="London", time_zone="Europe/London")
    User.objects.filter(pk=boss.pk).update(location_chosen=scene.salon)  # the switcher's choice
    # A name no generated staff name can contain, so its absence means London's staff are left out.
    TherapistFactory(salon=london, display_name="Lou Quaxworth", user__username="lou",
                     user__first_name="Lou", user__last_name="Quaxworth")  # fmt: skip
    invited = UserFactory(username="rita", first_name="Rita", last_name="Desk", roles=[Role.RECEPTIONIST],
                          all_locations=False, password=None)  # fmt: skip
    invited.locations.add(scene.salon)
    for number in range(5):
        TherapistFactory(salon=scene.salon, user__username=f"extra{number}")

    with django_assert_max_num_queries(11):  # 9 today, whatever the number of staff
        page = manager_page.get("/manage/staff/")

    text = page.content.decode()
    assert page.status_code == 200
    assert "Anna Krause" in text
    assert "Pregnancy" in text
    assert "Rita Desk" in text
    assert "Invited: no password yet" in text
    assert "Petra Boss" in text  # granted every location
    assert "Quaxworth" not in text  # London's
    assert 'aria-current="page"' in text


def test_a_manager_adds_a_therapist_who_gets_an_invitation(
    manager_page, scene, eager_celery, django_capture_on_commit_callbacks
):
    form = manager_page.get("/manage/staff/new/").content.decode()
    labels = ["Given name", "Family name", "Login name", "Email", "Display name", "Qualified for therapeutic massage",
              "Qualified for pregnancy massage", "Send invitation", "Birke", "Receptionist"]  # fmt: skip
    for label in labels:
        assert label in form, label

    with django_capture_on_commit_callbacks(execute=True):
        answer = manager_page.post("/manage/staff/new/", new_person(scene))

    mara = User.objects.get(username="mara")
    assert answer.status_code == 302
    assert answer["Location"] == f"/manage/staff/{mara.pk}/"
    therapist = Therapist.objects.get(user=mara)
    assert therapist.qualified_therapeutic
    assert therapist.qualified_pregnancy
    assert list(therapist.rooms.all()) == [scene.rooms[1]]
    assert not mara.has_usable_password()
    assert mail.outbox[0].to == ["mara@example.com"]
    page = manager_page.get(answer["Location"]).content.decode()
    assert "The invitation to set a password goes to mara@example.com" in page
    assert "Send a new invitation" in page


def test_mistakes_are_shown_beside_their_fields(manager_page, scene, anna):
    answer = manager_page.post(
        "/manage/staff/new/", new_person(scene, username="anna", email="nope", roles=[], locations=[])
    )

    assert answer.status_code == 400
    errors = answer.context["form"].errors
    assert set(errors) >= {"email", "roles", "locations"}
    assert not User.objects.filter(first_name="Mara").exists()


def test_a_login_name_in_use_is_refused_beside_the_field(manager_page, scene, anna):
    answer = manager_page.post("/manage/staff/new/", new_person(scene, username="anna"))

    assert answer.status_code == 400
    assert "username" in answer.context["form"].errors
    assert "already exists" in answer.content.decode()


def test_a_manager_changes_roles_qualifications_and_rooms(manager_page, anna, scene):
    answer = manager_page.post(
        f"/manage/staff/{anna.user.pk}/",
        details_of(anna.user, roles=["Therapist", "Receptionist"], qualified_therapeutic="on",
                   rooms=[scene.rooms[0].pk]),
    )  # fmt: skip

    assert answer.status_code == 302
    anna.refresh_from_db()
    assert anna.qualified_therapeutic
    assert anna.qualified_pregnancy  # kept, as the form sent it
    assert list(anna.rooms.all()) == [scene.rooms[0]]
    assert set(anna.user.groups.values_list("name", flat=True)) == {"Therapist", "Receptionist"}


def test_a_manager_cannot_take_away_their_own_manager_role(manager_page, boss):
    page = manager_page.post(f"/manage/staff/{boss.pk}/", details_of(boss, roles=["Receptionist"]))

    assert page.status_code == 409
    assert "your own Manager role" in page.content.decode()
    assert boss.groups.filter(name="Manager").exists()


def test_deactivating_with_sessions_ahead_lists_them_with_links_to_the_desk(manager_page, anna, scene, tomorrow):
    session = appointment_book(client=scene.client, routine=short_routine(), start=at(tomorrow, 10), therapist=anna)

    page = manager_page.post(f"/manage/staff/{anna.user.pk}/deactivate/")

    text = page.content.decode()
    assert page.status_code == 409
    assert "Sessions booked ahead" in text
    assert str(scene.client) in text
    assert f'href="/desk/?date={tomorrow:%Y-%m-%d}"' in text
    assert "Cancel these 1 sessions and tell the clients" in text
    session.refresh_from_db()
    assert session.status == Appointment.Status.BOOKED
    assert User.objects.get(pk=anna.user.pk).is_active


def test_a_change_that_strands_a_session_is_refused_with_it_listed(manager_page, anna, scene, tomorrow):
    appointment_book(client=scene.client, routine=short_routine(), start=at(tomorrow, 10), therapist=anna)

    page = manager_page.post(f"/manage/staff/{anna.user.pk}/", details_of(anna.user, roles=["Receptionist"]))

    text = page.content.decode()
    assert page.status_code == 409
    assert "1 session booked ahead that stands in the way" in text
    assert f'href="/desk/?date={tomorrow:%Y-%m-%d}"' in text
    assert "Cancel these" not in text  # cancelling goes with deactivating, not with an edit
    assert Therapist.objects.get(pk=anna.pk).active


def test_cancel_these_sessions_deactivates_and_tells_the_clients(manager_page, anna, scene, tomorrow):
    session = appointment_book(client=scene.client, routine=short_routine(), start=at(tomorrow, 10), therapist=anna)

    without_reason = manager_page.post(f"/manage/staff/{anna.user.pk}/deactivate/", {"cancel_bookings": "on"})
    answer = manager_page.post(
        f"/manage/staff/{anna.user.pk}/deactivate/", {"cancel_bookings": "on", "reason": "Anna has left the salon"}
    )

    assert without_reason.status_code == 400
    assert "Sessions booked ahead" in without_reason.content.decode()  # still listed, to try again
    assert answer.status_code == 302
    session.refresh_from_db()
    assert session.status == Appointment.Status.CANCELLED
    assert Notification.objects.filter(appointment=session, kind=Notification.Kind.CANCELLATION).exists()
    assert not User.objects.get(pk=anna.user.pk).is_active
    assert "1 session is cancelled and its client is told" in manager_page.get(answer["Location"]).content.decode()


def test_deactivate_then_reactivate(manager_page, anna):
    gone = manager_page.post(f"/manage/staff/{anna.user.pk}/deactivate/")
    page = manager_page.get(gone["Location"]).content.decode()
    back = manager_page.post(f"/manage/staff/{anna.user.pk}/reactivate/")

    assert gone.status_code == 302
    assert "Reactivate" in page
    assert back.status_code == 302
    assert User.objects.get(pk=anna.user.pk).is_active
    assert Therapist.objects.get(pk=anna.pk).active


def test_a_manager_lifts_a_sign_in_lockout(manager_page, anna):
    AccessAttempt.objects.create(username=anna.user.username, ip_address="10.0.0.9", failures_since_start=9)

    answer = manager_page.post(f"/manage/staff/{anna.user.pk}/lockout/")

    assert answer.status_code == 302
    assert not AccessAttempt.objects.filter(username=anna.user.username).exists()
    assert "may sign in again" in manager_page.get(answer["Location"]).content.decode()


def test_a_manager_of_one_location_sees_only_its_staff(client, scene, anna):
    london, _ = scene.location_add(name="London", time_zone="Europe/London")
    lou = TherapistFactory(salon=london, display_name="Lou")
    local = UserFactory(username="local", roles=[Role.MANAGER], all_locations=False)
    local.locations.add(scene.salon)
    sign_in(client, local)

    assert client.get(f"/manage/staff/{lou.user.pk}/").status_code == 404
    assert client.post(f"/manage/staff/{lou.user.pk}/deactivate/").status_code == 404
    assert client.get(f"/manage/staff/{anna.user.pk}/").status_code == 200
    form = client.get("/manage/staff/new/").content.decode()
    assert "London" not in form
    assert "All locations" not in form


def test_superusers_are_not_listed_or_reachable(manager_page):
    root = UserFactory(username="root", first_name="Root", last_name="Admin", is_superuser=True)

    assert "Root Admin" not in manager_page.get("/manage/staff/").content.decode()
    assert manager_page.get(f"/manage/staff/{root.pk}/").status_code == 404


@pytest.mark.parametrize("role", [Role.RECEPTIONIST, Role.THERAPIST])
def test_only_managers_get_in(client, scene, role):
    sign_in(client, UserFactory(roles=[role]))

    assert client.get("/manage/staff/").status_code == 403
    assert client.get("/manage/staff/new/").status_code == 403


def test_a_forgotten_password_stops_working_and_a_link_goes_out(
    manager_page, anna, eager_celery, django_capture_on_commit_callbacks
):
    from knox.models import AuthToken

    from tests.factories import TEST_PASSWORD

    User.objects.filter(pk=anna.user.pk).update(email="anna@example.com")
    AuthToken.objects.create(user=anna.user)

    with django_capture_on_commit_callbacks(execute=True):
        answer = manager_page.post(f"/manage/staff/{anna.user.pk}/password/")

    assert answer.status_code == 302
    assert not User.objects.get(pk=anna.user.pk).check_password(TEST_PASSWORD)
    assert not AuthToken.objects.filter(user=anna.user).exists()
    (email,) = mail.outbox
    assert email.to == ["anna@example.com"]
    assert "/accounts/invitation/" in email.body


def test_a_manager_cannot_reset_their_own_password_here(manager_page, boss):
    answer = manager_page.post(f"/manage/staff/{boss.pk}/password/")

    assert answer.status_code == 409
    assert boss.__class__.objects.get(pk=boss.pk).has_usable_password()


def test_a_lost_authenticator_app_is_replaced_at_the_next_sign_in(manager_page, scene):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from salon.services import second_factor_app_add

    other = UserFactory(username="deputy", roles=[Role.MANAGER])
    second_factor_app_add(user=other, secret="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    assert "Replace the authenticator app" in manager_page.get(f"/manage/staff/{other.pk}/").content.decode()

    answer = manager_page.post(f"/manage/staff/{other.pk}/second-factor/")

    assert answer.status_code == 302
    assert not TOTPDevice.objects.filter(user=other).exists()


def test_a_manager_of_one_location_cannot_change_someone_who_also_works_elsewhere(client, scene, anna):
    """Roles, email and password are one for every location: a Berlin manager
    who could change them for a colleague who also works in London could make
    her a manager there, or send her password link to another address."""
    london, _ = scene.location_add(name="London", time_zone="Europe/London")
    anna.user.locations.add(london)
    local = UserFactory(username="local", roles=[Role.MANAGER], all_locations=False)
    local.locations.add(scene.salon)
    sign_in(client, local)

    assert client.get(f"/manage/staff/{anna.user.pk}/").status_code == 200  # seen, as she works here
    promoted = details_of(anna.user, roles=["Therapist", "Manager"], locations=[scene.salon.pk])
    assert client.post(f"/manage/staff/{anna.user.pk}/", promoted).status_code == 403
    assert client.post(f"/manage/staff/{anna.user.pk}/password/").status_code == 403
    assert client.post(f"/manage/staff/{anna.user.pk}/second-factor/").status_code == 403
    assert client.post(f"/manage/staff/{anna.user.pk}/deactivate/").status_code == 403
    assert not User.objects.get(pk=anna.user.pk).groups.filter(name="Manager").exists()
    assert User.objects.get(pk=anna.user.pk).is_active
