"""Error reporting to Sentry, switched on by ``SENTRY_DSN``.

The salon keeps health data, so what leaves the server is cut down to what
finding a bug needs: the exception, its stack without local variables, the
request's method and path (client links' tokens replaced), the request id,
and breadcrumbs without their data (SQL parameters, form values). Request
bodies, cookies, query strings, headers other than a few harmless ones, and
Celery task arguments are never sent, and no user is identified.
"""

from __future__ import annotations

from config.logs import current_request_id
from salon.redaction import scrub_path, scrub_text

SAFE_HEADERS = frozenset({"content-type", "user-agent", "x-request-id", "accept", "hx-request"})


def sentry_init(*, dsn: str, environment: str) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        traces_sample_rate=0,
        before_send=scrub_event,
        before_breadcrumb=scrub_breadcrumb,
    )


def scrub_event(event: dict, hint: dict | None = None) -> dict:
    """Keep what locates a fault; drop what could hold health or personal data."""
    request = event.get("request")
    if isinstance(request, dict):
        kept = {"headers": {k: v for k, v in (request.get("headers") or {}).items() if k.lower() in SAFE_HEADERS}}
        if request.get("method"):
            kept["method"] = request["method"]
        if request.get("url"):
            kept["url"] = scrub_path(str(request["url"]).split("?", 1)[0])
        event["request"] = kept
    event.pop("user", None)
    if isinstance(event.get("extra"), dict):
        event["extra"].pop("celery-job", None)
    for exception in (event.get("exception") or {}).get("values") or []:
        # The first line says what failed; a database's "DETAIL: Failing row
        # contains (...)" on the next ones can hold a whole screening.
        exception["value"] = scrub_text(str(exception.get("value") or "").split("\n", 1)[0])
        for frame in (exception.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)
    entry = event.get("logentry")
    if isinstance(entry, dict):
        for key in ("message", "formatted"):
            if isinstance(entry.get(key), str):
                entry[key] = scrub_text(entry[key])
        entry["params"] = [
            scrub_text(param) if isinstance(param, str) else param for param in entry.get("params") or []
        ]
    if isinstance(event.get("message"), str):
        event["message"] = scrub_text(event["message"])
    crumbs = event.get("breadcrumbs")
    values = crumbs.get("values", []) if isinstance(crumbs, dict) else crumbs or []
    for crumb in values:
        scrub_breadcrumb(crumb)
    request_id = current_request_id.get()
    event.setdefault("tags", {})["request_id"] = request_id
    return event


def scrub_breadcrumb(crumb: dict, hint: dict | None = None) -> dict:
    """Breadcrumbs keep what happened, not with what: no data (SQL
    parameters, form values), no log message (an SMS's text, an address)."""
    crumb.pop("data", None)
    if crumb.get("type") == "log" or crumb.get("category") not in {"query", "httplib", None}:
        crumb.pop("message", None)
    elif crumb.get("message"):
        crumb["message"] = scrub_text(str(crumb["message"]))
    return crumb
