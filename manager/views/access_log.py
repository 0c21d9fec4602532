"""Who read or wrote clients' health data, and when: the log every access
to health answers leaves (it holds no health data itself)."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import path

from clients.models import HealthDataAccess
from clients.selectors import health_access_log
from salon.roles import Role, role_required

PER_PAGE = 100


@role_required(Role.MANAGER)
def access_log(request):
    query = request.GET.get("q", "").strip()[:60]
    action = request.GET.get("action", "")
    if action not in HealthDataAccess.Action.values:
        action = ""
    entries = Paginator(health_access_log(query=query, action=action), PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "entries": entries,
        "query": query,
        "action": action,
        "actions": HealthDataAccess.Action.choices,
        "manage_section": "access_log",
    }
    return render(request, "manager/access_log.html", context)


urlpatterns = [path("manage/access-log/", access_log, name="manage-access-log")]
