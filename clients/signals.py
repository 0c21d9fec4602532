"""Signals the clients app sends, so that apps above it can react without
this app knowing them (it may not import them: see the layers in
pyproject.toml).

``screening_changed`` is sent inside the transaction that stored a new
screening, a clearance or the client's own answers, with ``client`` and
``reason`` (a sentence for the record of why a plan changed, lazy, e.g.
``gettext_lazy``, so that each plan has it in its own language). A receiver that
fails rolls the whole change back, so nothing is half-written.

``consents_changed`` is sent, with ``client``, inside the transaction that
changed the client's consent to reminders or feedback requests, or merged
another record (and its booked messages) into theirs: the messages waiting
to go out follow the consent as it is now.

``intake_link_requested`` is sent, with ``client``, ``channel`` ("email" or
"sms") and ``by``, when the desk sends the link to the intake form. The app
that sends messages queues one and returns it; it raises a domain error when
it cannot (no session booked ahead to send it with).

``pain_reported`` is sent, with ``client``, ``pain_before`` (0 to 10) and
``areas`` (body areas), inside the transaction of the client's intake step
(new answers or "nothing has changed"): the app that keeps sessions stores it
with the client's next session, where the pain after it joins it.

``client_erasing`` is sent, with ``client`` and ``by``, inside the
transaction that erases the client's data (``client_erase``), once for the
client and once for each record merged into theirs, while the record still
has its name and address (they find what the client typed online). Each app
that holds health or personal data of the client removes it there; a
receiver that fails rolls the whole erasure back.
"""

from django.dispatch import Signal

screening_changed = Signal()
consents_changed = Signal()
intake_link_requested = Signal()
pain_reported = Signal()
client_erasing = Signal()
