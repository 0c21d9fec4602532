"""A manager opens /reports/, chooses the hand-worked week of
``tests/reports/conftest.py``, sees the charts and tables, and downloads a
CSV whose totals are the page's; axe finds nothing critical or serious."""

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from salon.roles import Role
from tests.factories import UserFactory
from tests.helpers import axe_violations, sign_in_with_code
from tests.reports.conftest import week_scenario

pytestmark = [pytest.mark.browser, pytest.mark.integration]

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def test_a_manager_reads_the_week_and_downloads_its_figures(page, live_server, password):
    from salon.services import second_factor_app_add

    week = week_scenario()
    petra = UserFactory(username="petra", roles=[Role.MANAGER])
    petra.locations.add(week.scene.salon)
    second_factor_app_add(user=petra, secret=SECRET)

    sign_in_with_code(page, live_server, password=password, secret=SECRET, next_path="/reports/")
    expect(page.get_by_role("heading", name="Reports", exact=True)).to_be_visible()
    page.get_by_label("Period", exact=True).select_option("custom")
    page.get_by_label("First day").fill("2026-03-02")
    page.get_by_label("Last day").fill("2026-03-08")
    page.get_by_role("button", name="Show").click()

    total = page.locator("tfoot tr").first
    expect(total.locator("td").first).to_have_text("6")
    expect(total.locator("td").nth(5)).to_have_text("€135.00")
    expect(page.get_by_role("img", name="Bookings per therapist")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV of by therapist").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert sum(int(row["Bookings"]) for row in rows) == 6
    assert sum(Decimal(row["Revenue"]) for row in rows) == Decimal("135.00")
    assert axe_violations(page) == []
