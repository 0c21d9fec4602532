"""The console email backend (``EMAIL_URL=consolemail://``) without the
tokens of client links: it writes whole messages to the process's output,
which ends up in the same logs as everything else (salon.redaction)."""

import copy

from django.core.mail.backends.console import EmailBackend
from django.core.mail.message import EmailAlternative

from salon.redaction import scrub_text


class ConsoleEmailBackend(EmailBackend):
    """Django's console backend, writing a copy of each message whose
    subject, text and HTML parts have the link tokens masked. The parts are
    masked before they are encoded (quoted-printable could break a token
    across lines); attachments (the .ics) carry no links."""

    def write_message(self, message):
        shown = copy.copy(message)
        shown.subject = scrub_text(str(message.subject))
        shown.body = scrub_text(message.body)
        if hasattr(message, "alternatives"):
            shown.alternatives = [
                EmailAlternative(scrub_text(content) if isinstance(content, str) else content, mimetype)
                for content, mimetype in message.alternatives
            ]
        super().write_message(shown)
