"""A manager who reads German gets the whole manager's area in German: the
menu, the staff, rota, rooms, prices and settings pages, their refusals and
their confirmations. Names, routines and rooms are the salon's own words."""

import datetime

import pytest
from django.utils import translation

from routines.services import service_set
from salon.roles import Role
from sessions.services import closures
from tests.factories import UserFactory, short_routine
from tests.helpers import sign_in, visible_text, words_left
from tests.scenario import salon_scenario

pytestmark = pytest.mark.django_db

# Words of the English interface that would betray a page left untranslated.
ENGLISH_WORDS = ["Staff", "Rooms", "Save", "Add", "Settings", "Opening hours"]
# The area's own menu, on every page.
MENU_WORDS = [
    "Team",
    "Dienstpläne",
    "Öffnungszeiten",
    "Räume",
    "Leistungen und Preise",
    "Einstellungen",
]


def english_left(text: str) -> list[str]:
    return words_left(text, ENGLISH_WORDS)


@pytest.fixture
def scene():
    return salon_scenario(name="Lindenhof", language="de")


@pytest.fixture
def routine(scene):
    routine = short_routine(slug="back", minutes=30, turnover=15)
    service_set(salon=scene.salon, routine=routine, lengths=[(30, 4500), (60, 8000)], online=True)
    return routine


@pytest.fixture
def german_manager(client, scene):
    manager = UserFactory(username="greta", roles=[Role.MANAGER], language="de")
    manager.locations.add(scene.salon)
    sign_in(client, manager)
    return client


def german_page(browser, url: str) -> str:
    answer = browser.get(url, HTTP_ACCEPT_LANGUAGE="en")  # her own choice wins over the browser's
    assert answer.status_code == 200, url
    assert answer["Content-Language"] == "de"
    return visible_text(answer.content.decode())


@pytest.mark.parametrize(
    ("url", "german_words"),
    [
        ("/manage/staff/", ["Team", "Person anlegen", "Rollen", "Qualifikationen", "Zustand"]),
        ("/manage/staff/new/", ["Person anlegen", "Vorname", "Anmeldename", "Als Therapeut:in", "Einladung senden"]),
        ("/manage/rotas/", ["Dienstpläne", "Therapeut:in", "Heute gültig", "Nächste Änderung"]),
        ("/manage/hours/", ["Öffnungszeiten und Schließtage", "Jede Woche", "Öffnungszeiten speichern", "Schließen"]),
        ("/manage/rooms/", ["Die Räume", "Ausstattung", "In Betrieb", "Raum hinzufügen", "Außer Betrieb nehmen"]),
        ("/manage/services/", ["Leistungen und Preise", "Dauer und Preise", "Im Angebot", "Preise und Details"]),
        ("/manage/services/back/", ["Dauer und Preise", "Preise speichern", "Beschreibung für Kund:innen"]),
        ("/manage/settings/", ["Einstellungen", "Buchungsregeln", "Online-Buchung", "Zeitzone", "Ruhezeit beginnt"]),
        ("/manage/time-off/", ["Abwesenheiten", "Geplante Abwesenheiten", "Freie Tage eintragen"]),
        ("/manage/routines/", ["Abläufe", "Neuer Ablauf", "Auch archivierte Abläufe zeigen"]),
        ("/manage/access-log/", ["Protokoll der Zugriffe auf Gesundheitsdaten", "Alle Arten", "Anzeigen"]),
    ],
)
def test_each_page_of_the_managers_area_is_in_german(german_manager, routine, url, german_words):
    # Given a manager who chose German
    # When she opens a page of /manage/
    text = german_page(german_manager, url)

    # Then its menu, headings, labels and buttons speak German
    for german in [*MENU_WORDS, *german_words]:
        assert german in text, german
    assert english_left(text) == []


def test_the_rota_editor_and_its_week_grid_are_in_german(german_manager, scene):
    therapist = scene.therapists[0]

    text = german_page(german_manager, f"/manage/rotas/{therapist.pk}/")

    for german in ("Ein neuer Dienstplan", "Montag Schicht 1", "Schicht hinzufügen", "Dienstplan speichern", "Mo"):
        assert german in text, german
    assert english_left(text) == []


def test_a_day_closed_is_listed_with_a_german_date(german_manager, scene):
    holiday = datetime.date.today() + datetime.timedelta(days=30)
    closures.closure_add(salon=scene.salon, first_day=holiday, last_day=holiday, reason="Betriebsausflug")

    text = german_page(german_manager, "/manage/hours/")

    assert f"{holiday:%d.%m.%Y}" in text
    assert "Betriebsausflug" in text


def test_a_mistake_on_the_opening_hours_is_explained_in_german(german_manager):
    answer = german_manager.post(
        "/manage/hours/special/", {"day": "2099-01-05", "opens": "18:00", "closes": "09:00"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    # The words may come from another app's catalogue (Django merges them);
    # what matters is that they are German, not the English.
    with translation.override("de"):
        german = translation.gettext("Closing comes after opening.")
    text = visible_text(answer.content.decode())
    assert answer.status_code == 400
    assert german != "Closing comes after opening."
    assert german in text
    assert "Closing comes after opening." not in text


def test_a_room_added_is_confirmed_in_german(german_manager, scene):
    answer = german_manager.post("/manage/rooms/add/", {"new-name": "Birke", "new-equipment": ""}, follow=True)

    assert answer.status_code == 200
    assert "Raum Birke angelegt." in visible_text(answer.content.decode())


def test_a_settings_refusal_is_shown_in_german(german_manager, scene):
    answer = german_manager.post("/manage/settings/", {"name": ""})

    assert answer.status_code == 400
    assert "Einige Einstellungen müssen nochmal geprüft werden; siehe unten." in visible_text(answer.content.decode())


def test_a_manager_who_reads_english_still_gets_english(client, scene):
    manager = UserFactory(username="tom", roles=[Role.MANAGER], language="en")
    manager.locations.add(scene.salon)
    sign_in(client, manager)

    text = visible_text(client.get("/manage/rooms/", HTTP_ACCEPT_LANGUAGE="de").content.decode())

    assert "Add a room" in text
    assert "Raum hinzufügen" not in text


def test_the_routine_editors_script_finds_its_words_in_the_german_javascript_catalogue(german_manager, routine):
    page = german_manager.get("/manage/routines/back/").content.decode()
    catalogue = german_manager.get("/jsi18n/").content.decode()

    # The catalogue loads before the editor's script (both deferred, in page order)
    assert page.index('src="/jsi18n/"') < page.index("manager/routine_editor.js")
    assert "Schritt %(number)s am Ende" in catalogue  # the umlaut that follows may be escaped
