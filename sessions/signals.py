"""Signals the sessions app sends for its own later parts.

``time_freed``: a therapist's time at a location became free (a booking
cancelled, missed or moved away, a hold run out, new rota hours). Sent by
the services inside their transaction with ``salon``, ``start`` and ``end``
(aware datetimes); the waitlist offers the time after commit
(sessions.receivers).
"""

from django.dispatch import Signal

time_freed = Signal()
