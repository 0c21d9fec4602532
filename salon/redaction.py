"""Keeping credentials out of logs and error reports.

Client links (``/forms/<purpose>/<token>/``) and therapists' calendar feeds
(``/calendar/<token>.ics``) carry their credential in the address. Log lines,
access lines, SMS written to the log and error reports show them as
``[redacted]``. Plain Python, no Django: gunicorn reads it before Django is set up.
"""

import re

REDACTED = "[redacted]"
SECRET_PATH = re.compile(r"^(/forms/[a-z-]+/|/calendar/)[^/?]+")
SECRET_PATH_ANYWHERE = re.compile(r"(/forms/[a-z-]+/|/calendar/)[^/\s?\"'<>]+")


def scrub_text(text: str) -> str:
    """``text`` with the tokens of client links and feed addresses replaced."""
    return SECRET_PATH_ANYWHERE.sub(rf"\g<1>{REDACTED}", text)


def scrub_path(url: str) -> str:
    """``https://salon.example/forms/intake/<token>/`` → ``.../forms/intake/[redacted]/``."""
    scheme, separator, rest = url.partition("://")
    if not separator:
        return SECRET_PATH.sub(rf"\g<1>{REDACTED}", url)
    host, slash, path = rest.partition("/")
    return f"{scheme}://{host}" + SECRET_PATH.sub(rf"\g<1>{REDACTED}", slash + path)
