"""/reports/: the managers' report page and its CSV downloads, for the
location chosen in the switcher or all the manager's locations. Both read
the period from the address, so a download repeats the page's figures."""

import csv
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports.charts import bars_chart, heat_cells, line_chart
from reports.forms import PeriodForm
from reports.selectors import (
    RETENTION_DAYS,
    appointments_for_export,
    comparison,
    report_extras,
    report_for,
    report_summary,
)
from salon.locations import location_for, locations_granted
from salon.money import money_plain
from salon.roles import Role, role_required

MANAGERS = (Role.MANAGER,)
DEFAULTS = {"period": "this_week", "scope": "here"}
TABLES = {
    "locations": ("by_location", gettext_lazy("Location")),
    "therapists": ("therapists", gettext_lazy("Therapist")),
    "rooms": ("rooms", gettext_lazy("Room")),
    "services": ("services", gettext_lazy("Service")),
}


def _chosen(request):
    """The form, the locations and the period asked for; the period is None
    when the form is refused."""
    location = location_for(request.user)
    form = PeriodForm(request.GET or DEFAULTS)
    if not form.is_valid():
        return form, [location], None
    locations = locations_granted(request.user) if form.cleaned_data["scope"] == "all" else [location]
    today = timezone.now().astimezone(location.zone).date()
    return form, locations, form.chosen_period(today=today)


def _query(form, period) -> str:
    """The address's query for the same report (with the days a preset stood for)."""
    return urlencode(
        {
            "period": form.cleaned_data["period"],
            "first_day": period.first_day.isoformat(),
            "last_day": period.last_day.isoformat(),
            "scope": form.cleaned_data["scope"] or "here",
        }
    )


@role_required(*MANAGERS)
def report_page(request):
    form, locations, period = _chosen(request)
    several = len(locations_granted(request.user)) > 1
    context = {"form": form, "several": several, "manage_section": "reports"}
    if period is None:
        return render(request, "reports/report.html", context, status=400)
    report = report_for(locations=locations, period=period)
    previous_period = period.previous()
    previous = report_summary(locations=locations, period=previous_period, rooms_at=report.rooms_at)
    context.update(
        report=report,
        previous_period=previous_period,
        comparison=comparison(report.total, previous.total),
        query=_query(form, period),
        tables=[(name, getattr(report, attribute), heading) for name, (attribute, heading) in TABLES.items()],
        line=line_chart(report.daily),
        bars=bars_chart(report.therapists),
        heat=heat_cells(report.heat),
        extras=report_extras(locations=locations, period=period, report=report),
        retention_days=RETENTION_DAYS,
    )
    return render(request, "reports/report.html", context)


def _cell(value) -> str:
    """A cell a spreadsheet will not run: text starting like a formula is quoted."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _ratio(value) -> str:
    return "" if value is None else f"{value:.4f}"


def _money(minor, currency: str) -> str:
    return money_plain(minor, currency=currency) if currency else ""


def _csv(filename: str, header: list, rows) -> HttpResponse:
    """A download whose headings are in the reader's language; its cells
    (ISO dates, plain amounts, status codes) read the same in every language."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow([str(heading) for heading in header])
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return response


@role_required(*MANAGERS)
def report_csv(request, table: str):
    """One table of the page (``days``: bookings and revenue a day), or
    (``appointments``) the period's appointments."""
    if table not in TABLES and table not in ("appointments", "days"):
        raise Http404(_("No such table."))
    form, locations, period = _chosen(request)
    if period is None:
        problems = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in form.errors.items())
        return HttpResponse(problems, status=400, content_type="text/plain; charset=utf-8")
    filename = f"{table}-{period.first_day.isoformat()}-{period.last_day.isoformat()}.csv"
    if table == "appointments":
        return _csv(filename, APPOINTMENT_COLUMNS, _appointment_rows(locations, period))
    report = report_for(locations=locations, period=period, by_time=table == "days")
    if table == "days":
        return _csv(
            filename,
            [_("Day"), _("Bookings"), _("Revenue"), _("Currency")],
            ([day.isoformat(), bookings, _money(revenue, report.currency), report.currency]
             for day, (bookings, revenue) in report.daily.items()),
        )  # fmt: skip
    attribute, heading = TABLES[table]
    rows = getattr(report, attribute)
    header = [heading] + ([_("Location")] if table == "rooms" else []) + FIGURE_COLUMNS
    return _csv(
        filename, header, ([row.label] + ([row.location] if table == "rooms" else []) + _figures(row) for row in rows)
    )


FIGURE_COLUMNS = [
    gettext_lazy("Bookings"), gettext_lazy("Completed"), gettext_lazy("Completion rate"),
    gettext_lazy("Cancelled in time"), gettext_lazy("Cancellation rate"), gettext_lazy("Cancelled late"),
    gettext_lazy("Late cancellation rate"), gettext_lazy("No-shows"), gettext_lazy("No-show rate"),
    gettext_lazy("Revenue"), gettext_lazy("Expected revenue"), gettext_lazy("Currency"),
    gettext_lazy("Booked minutes"), gettext_lazy("Working or open minutes"), gettext_lazy("Utilisation"),
]  # fmt: skip


def _figures(row) -> list:
    return [
        row.bookings, row.completed, _ratio(row.completion_rate), row.cancelled, _ratio(row.cancellation_rate),
        row.cancelled_late, _ratio(row.late_cancellation_rate), row.no_shows, _ratio(row.no_show_rate),
        _money(row.revenue_minor, row.currency), _money(row.expected_minor, row.currency), row.currency,
        row.booked_minutes, row.working_minutes, _ratio(row.utilisation),
    ]  # fmt: skip


# The cells stay codes ("completed", "desk", "yes"): a spreadsheet's filters
# and formulas keep working whichever language the manager reads.
APPOINTMENT_COLUMNS = [
    gettext_lazy("Appointment"), gettext_lazy("Location"), gettext_lazy("Start"), gettext_lazy("End"),
    gettext_lazy("Therapist"), gettext_lazy("Room"), gettext_lazy("Service"), gettext_lazy("Client number"),
    gettext_lazy("Status"), gettext_lazy("Cancelled late"), gettext_lazy("Booked by"), gettext_lazy("Price"),
    gettext_lazy("Currency"),
]  # fmt: skip


def _appointment_rows(locations, period):
    for (pk, location, zone, start, end, therapist, room, service, client, status, late, origin, price,
         currency) in appointments_for_export(locations=locations, period=period).iterator():  # fmt: skip
        zone = ZoneInfo(zone)
        yield [
            pk, location, start.astimezone(zone).isoformat(timespec="minutes"),
            end.astimezone(zone).isoformat(timespec="minutes"), therapist, room, service, client, status,
            "yes" if late else "no", origin, "" if price is None else money_plain(price, currency=currency),
            currency,
        ]  # fmt: skip


urlpatterns = [
    path("", report_page, name="reports"),
    path("<slug:table>.csv", report_csv, name="report-csv"),
]
