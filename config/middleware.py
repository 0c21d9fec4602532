import re
import uuid
from contextlib import suppress

from csp.constants import HEADER
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.apps import apps
from django.conf import settings
from django.core.signals import request_finished, setting_changed
from django_otp.middleware import OTPMiddleware
from django_otp.models import Device

from config.logs import NO_REQUEST, current_request_id
from salon.compiled import CompiledQuery

# A proxy's id is kept when it is short and plain, so it cannot forge log lines.
ACCEPTED_REQUEST_ID = re.compile(r"[A-Za-z0-9._\-]{8,64}")


class RequestIdMiddleware:
    """Gives each request an id, taken from the proxy's ``X-Request-ID`` when
    it sends a sensible one: every log line written while the request is
    handled carries it, and the response returns it, so a user's report of a
    failure can be matched with the server's log.

    The id is forgotten when the response is finished, not when this
    middleware returns: Django logs 4xx answers ("Not Found: ...") after the
    middleware has run.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if ACCEPTED_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        current_request_id.set(request_id)
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


def _forget_request_id(**kwargs) -> None:
    current_request_id.set(NO_REQUEST)


request_finished.connect(_forget_request_id, dispatch_uid="salon.forget_request_id")


class BuiltOnceCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, but each distinct policy is built once per
    process instead of on every response: building it took a tenth of the
    CPU of a remembered public API answer. A policy depends only on the
    settings and on what the response asks for (``_csp_config``,
    ``_csp_update``, ``_csp_replace``: online.embedding's frame-ancestors),
    which take few values. A nonce (none of our pages uses one) makes every
    policy different, and a report-only policy is not ours either: those,
    and DEBUG's error pages, are left to django-csp as it is."""

    def process_response(self, request, response):
        if getattr(request, "_csp_nonce", None) is not None or settings.DEBUG or _asks_report_only(response):
            return super().process_response(request, response)
        if self._wanted(request, response):
            policy = _policy(
                getattr(response, "_csp_config", None),
                getattr(response, "_csp_update", None),
                getattr(response, "_csp_replace", None),
            )
            if policy:
                response[HEADER] = policy
        # As django-csp: a nonce asked for now could no longer be in the header.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response

    @staticmethod
    def _wanted(request, response) -> bool:
        """As django-csp: not over a view's own header, nor where exempted or excluded."""
        excluded = (getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}).get("EXCLUDE_URL_PREFIXES") or ()
        return not (
            HEADER in response
            or getattr(response, "_csp_exempt", False)
            or request.path_info.startswith(tuple(excluded))
        )


# Policies by what a response asked for; emptied when the settings change
# (tests), and when many (a location's framing sites changed often).
_BUILT_POLICIES: dict[tuple, str] = {}
MAX_BUILT_POLICIES = 256


def _policy(config: dict | None, update: dict | None, replace: dict | None) -> str:
    key = (_frozen(config), _frozen(update), _frozen(replace))
    policy = _BUILT_POLICIES.get(key)
    if policy is None:
        if len(_BUILT_POLICIES) >= MAX_BUILT_POLICIES:
            _BUILT_POLICIES.clear()
        policy = _BUILT_POLICIES[key] = build_policy(config=config, update=update, replace=replace)
    return policy


def _frozen(directives: dict | None) -> tuple | None:
    """The directives as a dictionary key; each value's order kept, as it is in the header."""
    if directives is None:
        return None
    return tuple(
        (name, frozenset(value) if isinstance(value, set) else tuple(value) if isinstance(value, list) else value)
        for name, value in sorted(directives.items())
    )


def _asks_report_only(response) -> bool:
    return bool(getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)) or any(
        getattr(response, name, None) is not None for name in ("_csp_config_ro", "_csp_update_ro", "_csp_replace_ro")
    )


def _forget_built_policies(*, setting: str, **kwargs) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _BUILT_POLICIES.clear()


setting_changed.connect(_forget_built_policies, dispatch_uid="salon.forget_built_policies")


class CompiledDeviceOTPMiddleware(OTPMiddleware):
    """django-otp's middleware, reading the session's verified device by a
    query compiled once per process and device model: every page of a
    member of staff who entered a code reads it, and building the query
    cost more CPU than sending it. What is read, and what a missing,
    foreign or unconfirmed device does to the session, is django-otp's."""

    def _device_from_persistent_id(self, persistent_id: str):
        persistent_id = self._normalize_persistent_id(persistent_id)
        with suppress(ValueError, LookupError):
            model_label, device_id = persistent_id.rsplit("/", 1)
            device_model = apps.get_model(model_label)
            if issubclass(device_model, Device):
                found = _device_query(device_model).objects(pk=int(device_id))
                return found[0] if found else None
        return None


_DEVICES_WITH_ID: dict[type, CompiledQuery] = {}


def _device_query(device_model: type) -> CompiledQuery:
    query = _DEVICES_WITH_ID.get(device_model)
    if query is None:
        query = _DEVICES_WITH_ID[device_model] = CompiledQuery(
            lambda pk: device_model.objects.filter(pk=pk),
            pk=-1,  # no device's id
        )
    return query
