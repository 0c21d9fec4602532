"""Keeping credentials out of logs and error reports.

Client links (``/forms/<purpose>/<token>/``), therapists' calendar feeds
(``/calendar/<token>.ics``) and staff invitations
(``/accounts/invitation/<token>/``) carry their credential in the address. Log lines
(every record, by ``config.logs.RequestIdFilter``), access lines
(``config.gunicorn``), SMS written to the log (``sessions.messages``), mail
written by the console backend (``config.mail``), the output ``manage.py
serve`` relays and error reports (``config.observability``) show them as
``[redacted]``, in development too. Plain Python, no Django: gunicorn reads
it before Django is set up.
"""

import re

REDACTED = "[redacted]"
SECRET_PATH = re.compile(r"^(/forms/[a-z-]+/|/calendar/|/accounts/invitation/)[^/?]+")
SECRET_PATH_ANYWHERE = re.compile(r"(/forms/[a-z-]+/|/calendar/|/accounts/invitation/)[^/\s?\"'<>]+")


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
