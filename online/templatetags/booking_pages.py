"""What the booking pages' templates need beyond Django's: addresses that
keep the language the reader chose (online.language), the switcher that
chooses it, and a day's short label in the reader's language. The other
dates on these pages use the clients' filters (clients.templatetags.client_dates),
as the client's emails do."""

from functools import lru_cache
from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import pgettext

from online.language import LANGUAGE_FIELD, with_language

register = template.Library()


@register.simple_tag(takes_context=True)
def book_url(context, name: str, *args, **query) -> str:
    """``{% url %}`` with a query (``{% book_url 'book-privacy' location=salon.pk %}``),
    and the language the reader chose."""
    address = reverse(name, args=args)
    if query:
        address = f"{address}?{urlencode(query)}"
    request = context.get("request")
    return with_language(request, address) if request is not None else address


@register.simple_tag(takes_context=True)
def same_page(context) -> str:
    """This page's address without its query, and the language the reader
    chose: where its own forms post (a token in the path names what they are about)."""
    request = context["request"]
    return with_language(request, request.path)


@register.inclusion_tag("online/_languages.html", takes_context=True)
def language_switcher(context) -> dict:
    """A link per language to this page in it: the address with ``lang``
    set, its other choices kept. Each language is named in itself."""
    request = context.get("request")
    if request is None:
        return {"languages": []}
    current = translation.get_language()
    languages = []
    for code, _name in settings.LANGUAGES:
        query = request.GET.copy()
        query[LANGUAGE_FIELD] = code
        languages.append(
            {
                "code": code,
                "name": translation.get_language_info(code)["name_local"],
                "address": f"{request.path}?{query.urlencode()}",
                "current": code == current,
            }
        )
    return {"languages": languages}


@register.filter(expects_localtime=True)
def day_label(value) -> str:
    """A day in a list of days, short: "Mon 7 Dec" / "Mo., 7. Dez."."""
    if value in (None, ""):
        return ""
    return _day_label(value, translation.get_language())


@lru_cache(maxsize=1024)
def _day_label(day, language: str) -> str:
    # The steps page lists two weeks of days on every request: formatting a
    # date costs more than the rest of the row, and a day's label never changes.
    with translation.override(language):
        return date_format(day, pgettext("date format: short weekday and date, no year", "D j M"))
