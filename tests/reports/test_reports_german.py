"""A manager who reads German gets the report page, its numbers and days,
its refusals and the CSV headings in German (issue 21); a manager who reads
English sees the page and the downloads as before. Names of therapists,
rooms and services are the salon's own and stay as they are."""

import csv
import io
import re

import pytest
from django.utils import translation

from reports.templatetags.report_figures import change, hours, percent
from salon.roles import Role
from tests.factories import UserFactory
from tests.helpers import sign_in, visible_text, words_left
from tests.reports.test_views import WEEK, cell

# Words of the English page that would betray a German one left untranslated.
ENGLISH_WORDS = ["Reports", "Bookings", "Revenue", "Utilisation", "Download", "This week"]


def english_left(text: str) -> list[str]:
    return words_left(text, ENGLISH_WORDS)


def csv_header(response) -> list[str]:
    assert response["Content-Type"].startswith("text/csv")
    return next(csv.reader(io.StringIO(response.content.decode())))


def manager_reading(client, week, language: str):
    manager = UserFactory(roles=[Role.MANAGER], language=language)
    manager.locations.add(week.scene.salon)
    sign_in(client, manager)
    return client


@pytest.fixture
def german_manager(client, week):
    return manager_reading(client, week, "de")


@pytest.fixture
def english_manager(client, week):
    return manager_reading(client, week, "en")


def test_a_german_manager_reads_the_report_page_in_german(german_manager):
    # Given a manager who chose German, whose browser asks for English
    # When she opens the report of the hand-worked week
    response = german_manager.get("/reports/", WEEK, HTTP_ACCEPT_LANGUAGE="en")

    # Then the page, its tables and charts speak German, without an English word left
    assert response.status_code == 200
    assert response["Content-Language"] == "de"
    html = response.content.decode()
    text = visible_text(html)
    for german in (
        "Berichte", "Zeitraum", "Diese Woche", "Buchungen", "Umsatz", "Auslastung", "CSV herunterladen",
        "Nach Therapeut:in", "Im Vergleich mit dem Zeitraum davor", "Kund:innen und Rückmeldungen",
        "Buchungen je Therapeut:in",
    ):  # fmt: skip
        assert german in text, german
    assert english_left(text) == []
    # and its days, amounts and durations are written the German way
    assert "Mo, 02.03.2026 bis So, 08.03.2026" in text
    assert "im Vergleich mit 23.02.2026 bis 01.03.2026" in text
    assert cell(html, "Gesamt", 5) == "135,00\u00a0€"
    assert cell(html, "Birke", 8) == "72 h"
    assert cell(html, "Buchungen", 2) == "+500 %"
    assert [cell(html, "Mo", column) for column in range(3)] == ["0 %", "50 %", "0 %"]
    assert '<th scope="row">So</th>' in html
    assert not re.search(r"\bMon\b", text)


def test_a_german_manager_downloads_csv_files_with_german_headings(german_manager):
    # When she downloads the therapists' table, the days and the appointments
    therapists = german_manager.get("/reports/therapists.csv", WEEK)
    days = german_manager.get("/reports/days.csv", WEEK)
    appointments = german_manager.get("/reports/appointments.csv", WEEK)

    # Then the headings are German; the cells stay what a spreadsheet reads (ISO days, plain amounts, codes)
    header = csv_header(therapists)
    assert header[:4] == ["Therapeut:in", "Buchungen", "Abgeschlossen", "Abschlussquote"]
    assert {"Umsatz", "Auslastung", "Währung"} <= set(header)
    assert not {"Therapist", "Bookings", "Revenue", "Utilisation"} & set(header)
    rows = list(csv.DictReader(io.StringIO(therapists.content.decode())))
    assert [row["Therapeut:in"] for row in rows] == ["Anna", "Ben"]
    assert rows[0]["Umsatz"] == "135.00"
    assert csv_header(days) == ["Tag", "Buchungen", "Umsatz", "Währung"]
    assert "2026-03-02,1,65.00,EUR" in days.content.decode()
    assert csv_header(appointments)[:3] == ["Termin", "Standort", "Beginn"]
    assert ",completed," in appointments.content.decode()


def test_a_german_manager_is_told_in_german_what_is_wrong_with_the_period(german_manager):
    bad = {"period": "custom", "first_day": "2026-03-08", "last_day": "2026-03-02"}

    page = german_manager.get("/reports/", bad)
    download = german_manager.get("/reports/therapists.csv", {"period": "custom", "first_day": "2026-03-02"})

    assert page.status_code == 400
    assert "Der letzte Tag darf nicht vor dem ersten liegen." in page.content.decode()
    assert "Bitte prüfen Sie den Zeitraum:" in page.content.decode()
    # The field's name stays the address's; its message is German.
    assert download.status_code == 400
    assert download.content.decode() == "last_day: Geben Sie den letzten Tag an."


def test_an_english_manager_sees_the_page_and_downloads_as_before(english_manager):
    # Given a manager who chose English, whose browser asks for German
    response = english_manager.get("/reports/", WEEK, HTTP_ACCEPT_LANGUAGE="de")
    therapists = english_manager.get("/reports/therapists.csv", WEEK, HTTP_ACCEPT_LANGUAGE="de")

    html = response.content.decode()
    text = visible_text(html)
    assert response["Content-Language"] == "en"
    assert english_left(text) == ENGLISH_WORDS
    assert "Mon 2 Mar 2026 to Sun 8 Mar 2026" in text
    assert "compared with 23 Feb 2026 to 1 Mar 2026." in text
    assert cell(html, "All", 5) == "€135.00"
    assert "Download CSV of by therapist" in re.sub(r"<[^>]+>", "", html)
    assert csv_header(therapists) == [
        "Therapist", "Bookings", "Completed", "Completion rate", "Cancelled in time", "Cancellation rate",
        "Cancelled late", "Late cancellation rate", "No-shows", "No-show rate", "Revenue", "Expected revenue",
        "Currency", "Booked minutes", "Working or open minutes", "Utilisation",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["67 %", "—", "3 h 05", "72 h", "1234 h", "+500 %", "-25 %", "0 %", "—"]),
        ("de", ["67 %", "—", "3:05 h", "72 h", "1234 h", "+500 %", "-25 %", "0 %", "—"]),
    ],
)
def test_figures_are_written_in_the_readers_language(language, expected):
    with translation.override(language):
        written = [
            percent(2 / 3), percent(None), hours(185), hours(72 * 60), hours(1234 * 60),
            change(6, 1), change(3, 4), change(0, 0), change(2, 0),
        ]  # fmt: skip

    assert written == expected


def test_the_bars_chart_is_drawn_in_german_too(german_manager):
    # Given a manager who reads German; when she opens the week's report
    html = german_manager.get("/reports/", WEEK).content.decode()

    # Then the bars' widths are numbers SVG reads (a point before the decimals), not German ones ("400,0")
    widths = re.findall(r'width="([^"]*)" height="\d+" class="chart-bar"', html)
    assert widths
    assert all(re.fullmatch(r"\d+(\.\d+)?", width) for width in widths), widths
