"""What the sessions app does when the apps below it report a change.

A changed screening changes the plans of sessions that have not started. The
clients app cannot call this app (it sits below it), so it sends
``screening_changed`` inside the transaction that stored the change, and the
plans are rebuilt in that same transaction.
"""

from django.dispatch import receiver

from clients.signals import screening_changed
from sessions.services.plans import session_plans_rebuild


@receiver(screening_changed, dispatch_uid="sessions.rebuild_plans_after_screening")
def rebuild_plans_after_screening(sender, *, client, reason: str, **kwargs) -> None:
    session_plans_rebuild(client=client, reason=reason)
