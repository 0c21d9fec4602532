"""The API's JSON parser (DRF's ``DEFAULT_PARSER_CLASSES``; apart from
``salon.rest`` because DRF's views read that setting when they are imported)."""

import codecs

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers
from rest_framework.utils import json

from salon.errors import TooLarge


class Unprocessable(exceptions.ParseError):
    """A body that is JSON but not data the API could ever take (400)."""


# No request of this API nests deeper than a handful of levels; a deeper
# document is refused before anything walks it recursively.
MAX_JSON_DEPTH = 32


def json_problem(document) -> str | None:
    """Why a parsed JSON document is refused (too deep, or a NUL character,
    which PostgreSQL cannot store in text); None when it is fine. Walked
    without recursion."""
    pending = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        if depth > MAX_JSON_DEPTH:
            return _("The JSON nests deeper than %(levels)s levels.") % {"levels": MAX_JSON_DEPTH}
        if isinstance(value, str):
            if "\x00" in value:
                return _("Text may not contain NUL characters.")
        elif isinstance(value, dict):
            for key, item in value.items():
                if "\x00" in key:
                    return _("Text may not contain NUL characters.")
                pending.append((item, depth + 1))
        elif isinstance(value, list):
            pending.extend((item, depth + 1) for item in value)
    return None


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, bounded: a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE``
    is a 413, a document nested too deep (Python's parser would raise
    RecursionError, a 500) or holding a NUL character is a 400. Anonymous
    callers (the token endpoint) go through it too."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read(limit + 1) if stream is not None else b""
        if limit is not None and len(raw) > limit:
            raise TooLarge(_("The request body is over %(limit)s bytes.") % {"limit": limit})
        encoding = parsers.get_encoding(parser_context or {})
        try:
            text = codecs.decode(raw, encoding)
            parse_constant = json.strict_constant if self.strict else None
            document = json.loads(text, parse_constant=parse_constant)
        except RecursionError:
            raise Unprocessable(
                _("JSON parse error - nested deeper than %(levels)s levels.") % {"levels": MAX_JSON_DEPTH}
            ) from None
        except ValueError as error:
            raise exceptions.ParseError(_("JSON parse error - %(error)s") % {"error": error}) from None
        problem = json_problem(document)
        if problem:
            raise Unprocessable(problem)
        return document
