"""The Content-Security-Policy is built once per distinct policy
(config.middleware.BuiltOnceCSPMiddleware), not on every response: what a
response asks for, the settings and a nonce must still show in its header."""

import pytest
from csp.constants import NONCE, SELF
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings

from config.middleware import BuiltOnceCSPMiddleware
from tests.factories import SalonFactory


def directives(response) -> dict[str, list[str]]:
    """The header's directives by name (their order is django-csp's, not fixed)."""
    parts = [part.split() for part in response["Content-Security-Policy"].split(";") if part.strip()]
    return {words[0]: words[1:] for words in parts}


def answered(middleware_class, **asked):
    """The response of a view that sets ``asked`` (``_csp_update`` ...) on it, through ``middleware_class``."""

    def view(request):
        response = HttpResponse("ok")
        for name, value in asked.items():
            setattr(response, name, value)
        return response

    request = RequestFactory().get("/somewhere/")
    middleware = middleware_class(view)
    middleware.process_request(request)
    return middleware.process_response(request, view(request))


@pytest.mark.parametrize(
    "asked",
    [
        {},
        {"_csp_replace": {"frame-ancestors": [SELF, "https://a.example"]}},
        {"_csp_replace": {"frame-ancestors": [SELF, "https://b.example"]}},
        {"_csp_update": {"img-src": ["https://img.example"]}},
        {"_csp_config": {"default-src": [SELF], "frame-ancestors": ["'none'"]}},
    ],
    ids=["settings", "replace-a", "replace-b", "update", "config"],
)
def test_each_policy_is_django_csps_own(asked):
    assert directives(answered(BuiltOnceCSPMiddleware, **asked)) == directives(answered(CSPMiddleware, **asked))


@pytest.mark.django_db
def test_a_booking_pages_policy_follows_the_sites_listed_when_they_change():
    browser = Client()
    assert directives(browser.get("/book/no-such-page/"))["frame-ancestors"] == ["'self'"]

    SalonFactory(online_embed_origins=["https://www.lindenhof.example"])

    after = directives(browser.get("/book/no-such-page/"))
    assert after["frame-ancestors"] == ["'self'", "https://www.lindenhof.example"]


def test_the_policy_follows_the_settings():
    before = directives(answered(BuiltOnceCSPMiddleware))["img-src"]
    changed = {"DIRECTIVES": {**settings.CONTENT_SECURITY_POLICY["DIRECTIVES"], "img-src": [SELF]}}

    with override_settings(CONTENT_SECURITY_POLICY=changed):
        assert directives(answered(BuiltOnceCSPMiddleware))["img-src"] == ["'self'"]
    assert directives(answered(BuiltOnceCSPMiddleware))["img-src"] == before


def test_a_nonce_used_by_the_page_is_in_its_policy_and_new_each_time():
    with_nonce = {"DIRECTIVES": {**settings.CONTENT_SECURITY_POLICY["DIRECTIVES"], "script-src": [SELF, NONCE]}}

    def view(request):
        return HttpResponse(f"<script nonce='{request.csp_nonce}' src='/static/x.js'></script>")

    def script_sources() -> list[str]:
        request = RequestFactory().get("/somewhere/")
        middleware = BuiltOnceCSPMiddleware(view)
        middleware.process_request(request)
        response = middleware.process_response(request, view(request))
        assert f"'nonce-{request.csp_nonce}'" in directives(response)["script-src"]
        return directives(response)["script-src"]

    with override_settings(CONTENT_SECURITY_POLICY=with_nonce):
        assert script_sources() != script_sources()
