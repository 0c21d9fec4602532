"""Who read or wrote clients' health data, and when: the log every access
to health answers leaves (it holds no health data itself)."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from clients.models import HealthDataAccess
from clients.selectors import health_access_log
from clients.templatetags.client_dates import short_weekday_datetime
from salon.roles import Role, role_required

PER_PAGE = 100


# One row of the log's table, as the template's loop wrote it.
ROW = "\n    <tr>\n      <td>{}</td>\n      <td>{}</td>\n      <td>{}</td>\n      <td>{}</td>\n    </tr>\n  "


def _rows(entries) -> SafeString:
    """The page's rows of the log, written in one go: through the template
    language a hundred rows cost more than the rest of the page. Each kind
    of access is named once, not once a row (a choice's label is a lazy
    translation that ``get_FOO_display`` hashes with all the others), each
    minute's time formatted once (the format has no seconds; entries come
    in bursts) and each client's link made once; a client erased since is
    named by the number the log kept. ``format_html`` escapes every value."""
    labels = {value: str(label) for value, label in HealthDataAccess.Action.choices}
    erased = _("%(client)s (erased)")
    minutes: dict = {}
    clients: dict = {}

    def cells(at, actor, action, client_id, client_label):
        minute = timezone.localtime(at).replace(second=0, microsecond=0)
        when = minutes.get(minute)
        if when is None:
            when = minutes[minute] = short_weekday_datetime(minute)
        if not client_id:
            return when, actor, labels.get(action, action), erased % {"client": client_label}
        client = clients.get((client_id, client_label))
        if client is None:
            client = clients[client_id, client_label] = format_html(
                '<a href="{}">{}</a>', reverse("client", args=[client_id]), client_label
            )
        return when, actor, labels.get(action, action), client

    return format_html_join("", ROW, (cells(*entry) for entry in entries))


@role_required(Role.MANAGER)
def access_log(request):
    query = request.GET.get("q", "").strip()[:60]
    action = request.GET.get("action", "")
    if action not in HealthDataAccess.Action.values:
        action = ""
    rows = health_access_log(query=query, action=action).values_list(
        "at", "actor", "action", "client_id", "client_label"
    )
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "entries": page,
        "rows": _rows(page),
        "query": query,
        "action": action,
        "actions": HealthDataAccess.Action.choices,
        "manage_section": "access_log",
    }
    return render(request, "manager/access_log.html", context)


urlpatterns = [path("manage/access-log/", access_log, name="manage-access-log")]
