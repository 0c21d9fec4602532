"""Where a signed-in page's session is kept: Django's database sessions,
read by SQL compiled once per process. Every signed-in page reads its
session first; building that query each time cost as much CPU as reading the
user. Same table, same data, same expiry."""

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from salon.compiled import CompiledQuery

# The expiry is compared here, not in the SQL: only the key changes between calls.
_SESSION_WITH_KEY = CompiledQuery(
    lambda key: Session.objects.filter(session_key=key).only("session_data", "expire_date"),
    key="\0session key",
)


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self):
        """The session row, as Django's: None (and no key) when there is
        none or it has expired."""
        if self.session_key:
            for session in _SESSION_WITH_KEY.objects(key=self.session_key):
                if session.expire_date > timezone.now():
                    return session
        self._session_key = None
        return None
