"""Client pages: the intake form clients open from a link (no login), and the
staff's client search and client page."""

import datetime
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from clients import selectors, services
from clients.bodychart import chart_views, point_labels
from clients.forms import ClientContactForm, IntakeForm, PainTodayForm
from clients.links import LinkCrossSite, LinkRefused, LinkReplaced, LinkThrottled
from clients.models import Client, ClientLink, HealthDataAccess
from clients.outcome import Severity
from clients.painchart import pain_chart
from salon.errors import DomainError, InvalidInput, error_words, http_status
from salon.inputs import parse_id
from salon.languages import language_for_client
from salon.locations import location_for
from salon.roles import Role, role_required, sees_whole_salon
from salon.selectors import location_default
from salon.signin import ClientLinkThrottle

STAFF_ROLES = (Role.RECEPTIONIST, Role.THERAPIST, Role.MANAGER)
# Who changes client records: a therapist reads them.
FRONT_DESK_ROLES = (Role.RECEPTIONIST, Role.MANAGER)
SAME_SITE = {"same-origin", "none"}
FORM_LINK_FIELD = "link"


def private(view):
    """The link's token must not leak through Referer to any page it leads
    to. (Not storing the answer is salon.middleware.NoStoreMiddleware's job,
    for every client-link page and everything staff see.)"""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "no-referrer"
        # The language the view chose (``client_language_use``), which may
        # not be the one the browser asked for.
        response["Content-Language"] = translation.get_language()
        return response

    return wrapped


def client_language_use(request, *, client, salon=None) -> None:
    """The page behind a client's link speaks the client's language, not the
    browser's: a client may open it on someone else's phone. For the rest of
    this request only (salon.middleware.LanguageMiddleware restores its own)."""
    language = language_for_client(client=client, salon=salon)
    translation.activate(language)
    request.LANGUAGE_CODE = language


def own_origins(request) -> set[str]:
    return {f"{request.scheme}://{request.get_host()}", *settings.CSRF_TRUSTED_ORIGINS}


def same_site_posts_only(*, purpose: str):
    """For the forms behind client links: a post that another website made
    the browser send is refused with 403 and a page that says so.

    Django's CSRF check cannot run on these forms: under ``Referrer-Policy:
    no-referrer`` browsers send ``Origin: null`` with the post, so ``null``
    and an absent Origin (older browsers, the tests' client) pass. They are
    protected instead by the session (its cookie is SameSite=Lax, so another
    site's post arrives without the link), by refusing a post the browser
    marks as cross-site (``Sec-Fetch-Site``) and one whose ``Origin`` names
    another site than this one (or one of CSRF_TRUSTED_ORIGINS, the
    address behind a proxy)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method == "POST":
                origin = request.headers.get("Origin")
                fetch_site = request.headers.get("Sec-Fetch-Site", "same-origin")
                foreign = origin not in (None, "null") and origin not in own_origins(request)
                if foreign or fetch_site not in SAME_SITE:
                    return refused_page(request, LinkCrossSite(), purpose=purpose)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def throttled_per_address(*, purpose: str):
    """For the pages behind client links: an address asking too often
    (``ClientLinkThrottle``) gets 429 and a page that says to wait, so link
    tokens cannot be tried by the thousand and forms not flooded."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not ClientLinkThrottle().allow_request(request, view=None):
                return refused_page(request, LinkThrottled(), purpose=purpose)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def refused_page(request, refused: LinkRefused, *, purpose: str = ClientLink.Purpose.INTAKE):
    return render(
        request,
        "clients/link_refused.html",
        {"code": refused.code, "purpose": purpose, "salon": location_default()},
        status=http_status(refused),
    )


def _session_key(purpose: str) -> str:
    return f"{purpose}_link_id"


def link_landing(request, token: str, *, purpose: str, form_url: str):
    """Where a client link lands: check it, keep it in the session and move
    to an address without the token (so it is not left in the history)."""
    try:
        link = selectors.client_link_usable(token=token, purpose=purpose)
    except LinkRefused as refused:
        return refused_page(request, refused, purpose=purpose)
    request.session[_session_key(purpose)] = link.pk
    return redirect(form_url)


def link_in_session(request, *, purpose: str) -> ClientLink:
    """The link this browser opened, for the form behind it, or LinkRefused
    (posts from other sites are refused before: ``same_site_posts_only``)."""
    link_id = request.session.get(_session_key(purpose))
    # The session holds the last link opened. A form still open in another
    # tab names its own (``FORM_LINK_FIELD``); acting on the newer link would
    # cancel or answer for the wrong appointment.
    posted = request.POST.get(FORM_LINK_FIELD) if request.method == "POST" else None
    if posted is not None and posted != str(link_id):
        raise LinkReplaced(_("Another link was opened since this page."))
    return selectors.client_link_usable(link_id=link_id, purpose=purpose)


def link_finished(request, *, purpose: str) -> None:
    request.session.pop(_session_key(purpose), None)


@private
@throttled_per_address(purpose=ClientLink.Purpose.INTAKE)
@require_http_methods(["GET"])
def intake_link(request, token):
    return link_landing(request, token, purpose=ClientLink.Purpose.INTAKE, form_url="intake-form")


@private
@csrf_exempt  # see same_site_posts_only
@throttled_per_address(purpose=ClientLink.Purpose.INTAKE)
@same_site_posts_only(purpose=ClientLink.Purpose.INTAKE)
@require_http_methods(["GET", "POST"])
def intake_form(request):
    try:
        link = link_in_session(request, purpose=ClientLink.Purpose.INTAKE)
    except LinkRefused as refused:
        return refused_page(request, refused)

    salon = selectors.client_location(link.client)
    client_language_use(request, client=link.client, salon=salon)
    latest = selectors.screening_latest(link.client)
    confirming = request.method == "POST" and request.POST.get("action") == "confirm_unchanged"
    form = IntakeForm(None if confirming else request.POST or None, initial={"language": translation.get_language()})
    # Today's pain goes with the next session: asked only when one is booked.
    session_ahead = selectors.client_session_ahead(link.client)
    # The same questions sit in both forms of the page, each with its own ids.
    unchanged_pain = PainTodayForm(request.POST if confirming else None, auto_id="unchanged_%s")
    pain = PainTodayForm(request.POST if request.method == "POST" and not confirming else None)
    asked = unchanged_pain if confirming else pain
    pain_today, pain_valid = None, True
    if session_ahead is not None and asked.is_bound:
        pain_valid = asked.is_valid()
        pain_today = asked.answer() if pain_valid else None
    problem = ""
    if confirming and pain_valid:
        try:
            services.intake_confirm_unchanged(link=link, pain_today=pain_today)
        except LinkRefused as refused:
            return refused_page(request, refused)
        except DomainError as refusal:
            problem = error_words(refusal)
        else:
            link_finished(request, purpose=ClientLink.Purpose.INTAKE)
            return render(request, "clients/intake_thanks.html", {"salon": salon})
    elif request.method == "POST" and form.is_valid() and pain_valid:
        try:
            # Left as shown (the client's, else the location's): nothing to store,
            # so a client who never chose keeps following the location.
            language = form.cleaned_data["language"] if "language" in form.changed_data else ""
            services.intake_submit(link=link, answers=form.answers(), pain_today=pain_today, language=language)
        except LinkRefused as refused:
            return refused_page(request, refused)
        except DomainError as refusal:
            for field, messages in refusal.fields.items():
                form.add_error(field if field in form.fields else None, messages)
            if not refusal.fields:
                problem = error_words(refusal)
        else:
            link_finished(request, purpose=ClientLink.Purpose.INTAKE)
            # Thanked in the language just chosen.
            client_language_use(request, client=link.client, salon=salon)
            return render(request, "clients/intake_thanks.html", {"salon": salon})
    return render(
        request,
        "clients/intake_form.html",
        {
            "form": form,
            "client": link.client,
            "salon": salon,
            # A re-shown form keeps its marks on the chart, as the list keeps its rows.
            "views": chart_views(getattr(form, "cleaned_data", {}).get("pain_map", [])),
            "answered_before": latest.created_at if latest else None,
            "link": link,
            "problem": problem,
            "session_ahead": session_ahead,
            "pain": pain,
            "unchanged_pain": unchanged_pain,
        },
        status=400 if form.errors or problem or not pain_valid else 200,
    )


@role_required(*STAFF_ROLES)
def client_search_page(request):
    salon = location_for(request.user)
    query = request.GET.get("q", "").strip()
    clients = (
        selectors.clients_visible_to(request.user, selectors.client_search(salon=salon, query=query))[:50]
        if salon and query
        else []
    )
    template = "clients/_search_results.html" if request.htmx else "clients/search.html"
    return render(request, template, {"query": query, "clients": clients})


def _client_record(request, pk) -> Client:
    return selectors.client_for(
        user=request.user, client=get_object_or_404(Client.objects.select_related("business"), pk=pk)
    )


def _client_page(request, client: Client, *, problems: dict | None = None, status: int = 200):
    """The client page; ``problems`` puts a refusal beside the part it is
    about (``{"intake": ...}``)."""
    outcome = selectors.client_outcome(client)
    here = location_for(request.user)
    visits = selectors.client_visit_summary(user=request.user, client=client)
    can_edit = sees_whole_salon(request.user)
    intake_messages = selectors.client_intake_messages(client)
    for message in intake_messages:
        message.channel_words = _("SMS") if message.channel == Client.Channel.SMS else _("email")
    context = {
        "client": client,
        "flags": selectors.outcome_flags(outcome),
        "can_read_answers": False,
        "can_edit": can_edit,
        "visits": visits,
        "visits_in_several_places": bool({visit.room.salon_id for visit in visits} - {here.pk}),
        "consent_history": selectors.client_consent_history(client),
        "intake_messages": intake_messages,
        "problems": problems or {},
    }
    if can_edit:
        duplicates = list(selectors.client_duplicates(client=client)[:10])
        context.update(
            # The link goes with a coming session (``queue_intake_link``), so it is offered only then.
            session_ahead=visits.session_ahead,
            duplicates=[
                {"client": other, "reasons": selectors.duplicate_reasons(client, other)} for other in duplicates
            ],
        )
    if selectors.can_read_health_answers(request.user, client):
        screening = selectors.screening_latest(client)
        services.health_access_log(client=client, action=HealthDataAccess.Action.VIEW, user=request.user)
        context.update(
            can_read_answers=True,
            screening=screening,
            outcome=outcome,
            findings=[
                {"severity_label": Severity(finding.severity).label, "message": finding.message}
                for finding in outcome.findings
            ],
            decisions=selectors.screening_decisions(screening),
            views=chart_views(screening.pain_map if screening else []),
            pain_points=point_labels(screening.pain_map if screening else []),
        )
        # Logged above with the answers: the chart is read under the same view.
        pain_visits = selectors.pain_histories([client])[client.pk]
        context.update(
            pain_visits=pain_visits,
            pain_chart=pain_chart(pain_visits),
            pain_areas=[
                {**area, "chart": pain_chart(area["visits"])} for area in selectors.pain_history_by_area(pain_visits)
            ],
        )
    return render(request, "clients/client.html", context, status=status)


# The record's pages keep the site's Referrer-Policy (same-origin), not
# ``private``'s: their forms post, and under no-referrer the browser sends
# ``Origin: null``, which the CSRF check refuses. They carry no link token.
@role_required(*STAFF_ROLES)
def client_page(request, pk):
    client = _client_record(request, pk)
    if client.merged_into_id:
        # Old addresses of a merged record lead to the one it was merged into.
        messages.info(
            request,
            _("%(name)s (client %(number)s) was merged into this record.")
            % {"name": client.full_name, "number": client.pk},
        )
        return redirect("client", pk=client.merged_into_id)
    return _client_page(request, client)


def _fields_to_form(form, refusal: DomainError) -> None:
    """A service's refusal of fields, shown beside those fields (the rest above the form)."""
    for name, words in refusal.fields.items():
        form.add_error(name if name in form.fields else None, words)
    if not refusal.fields:
        form.add_error(None, error_words(refusal))


@role_required(*FRONT_DESK_ROLES)
@require_http_methods(["GET", "POST"])
def client_edit(request, pk):
    client = _client_record(request, pk)
    if client.merged_into_id:
        return redirect("client-edit", pk=client.merged_into_id)
    form = ClientContactForm(request.POST or None, initial=ClientContactForm.initial_for(client))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.client_update(
                    client=client, salon=location_for(request.user), by=request.user, **form.changes()
                )
            except DomainError as refusal:
                _fields_to_form(form, refusal)
                status = http_status(refusal)
            else:
                messages.success(request, _("Saved the details of %(name)s.") % {"name": client.full_name})
                return redirect("client", pk=client.pk)
        else:
            status = 400
    warning = selectors.front_desk_notes_warning(client)
    context = {"client": client, "form": form, "warning": warning, "contact_fields": ClientContactForm.CONTACT_FIELDS}
    return render(request, "clients/client_edit.html", context, status=status)


@role_required(*FRONT_DESK_ROLES)
@require_POST
def client_intake_link_send(request, pk):
    client = _client_record(request, pk)
    channel = request.POST.get("channel", "")
    try:
        message = services.client_intake_link_send(client=client, channel=channel, by=request.user)
    except DomainError as refusal:
        return _client_page(request, client, problems={"intake": error_words(refusal)}, status=http_status(refusal))
    by_sms = message.channel == Client.Channel.SMS
    if message.due_at <= timezone.now() + datetime.timedelta(minutes=1):
        words = (
            _("The intake link goes to %(name)s by SMS now.")
            if by_sms
            else _("The intake link goes to %(name)s by email now.")
        )
    else:
        words = (
            _("The intake link goes to %(name)s by SMS at %(when)s.")
            if by_sms
            else _("The intake link goes to %(name)s by email at %(when)s.")
        )
    due = message.due_at.astimezone(message.appointment.room.salon.zone)
    when = date_format(due, pgettext("date format: short weekday, date and time, no year", "D j M, H:i"))
    messages.success(request, words % {"name": client.full_name, "when": when})
    return redirect(f"{reverse('client', args=[client.pk])}#intake")


@role_required(*FRONT_DESK_ROLES)
@require_http_methods(["GET", "POST"])
def client_merge(request, pk):
    """Merge a duplicate into this record: GET ``?merge=<id>`` shows both
    side by side; POST ``merge=<id>`` merges."""
    keep = _client_record(request, pk)
    source = request.POST if request.method == "POST" else request.GET
    merge_id = parse_id(source.get("merge"), field="merge")
    if merge_id is None:
        raise InvalidInput(_("Choose the record to merge into this one."), fields={"merge": [_("Choose a record.")]})
    merge = get_object_or_404(Client.objects.select_related("business"), pk=merge_id)
    if merge.business_id != keep.business_id:
        # Refused (409) on a page of its own: the other business's record is not shown.
        selectors.client_merge_refusal(keep=keep, merge=merge)
    problem, status = "", 200
    if request.method == "POST":
        try:
            services.client_merge(keep=keep, merge=merge, by=request.user)
        except DomainError as refusal:
            problem, status = error_words(refusal), http_status(refusal)
            keep.refresh_from_db()
            merge.refresh_from_db()
        else:
            messages.success(
                request,
                _(
                    "Merged %(name)s (client %(number)s) into this record: their visits, screenings and links are "
                    "here now."
                )
                % {"name": merge.full_name, "number": merge.pk},
            )
            return redirect("client", pk=keep.pk)
    else:
        try:
            selectors.client_merge_refusal(keep=keep, merge=merge)
        except DomainError as refusal:
            problem, status = error_words(refusal), http_status(refusal)
    counts = selectors.client_merge_counts([keep, merge])
    outcomes = selectors.client_outcomes([keep, merge])
    records = [
        {
            "client": record,
            "counts": counts.get(record.pk, {}),
            "flags": selectors.outcome_flags(outcomes[record.pk]),
            "role": role,
        }
        for record, role in ((keep, "kept"), (merge, "merged"))
    ]
    context = {
        "keep": keep,
        "merge": merge,
        "records": records,
        "fills": selectors.client_merge_fills(keep=keep, merge=merge),
        "problem": problem,
        # Every refusal is of the records as they are: trying again would not help.
        "can_merge": not problem,
    }
    return render(request, "clients/client_merge.html", context, status=status)
