"""Answers about free times, remembered until anything they depend on changes.

Online booking asks the same questions again and again (a website's
visitors look at the same two weeks), and computing one costs far more than
the request around it. An answer is kept in the cache under the business's
availability stamp (:class:`sessions.models.AvailabilityStamp`), which
database triggers count up in the same transaction as every change to
bookings, holds, time off, rotas, hours, rooms, therapists, the menu and the
locations' settings. The stamp is read first and the answer computed after,
so an answer is never older than the stamp it is kept under; once a change
commits, the stamp moves on and the old answer is not asked for again. A time
just booked is therefore never offered from the cache.

Time moves without a write, so the key also holds the current minute (the
notice and the horizon are whole minutes from now, and today's date follows
from it), and an answer is not served past the moment the first hold it
counted as busy runs out.

Each process keeps the answers it gave in its own memory as well
(``CACHES["process"]``), under the same key, and looks there before asking
the shared cache.

An answer may be kept as it is sent (the public API's JSON, the booking
page of a day: ``online.api``, ``online.views``), which spares making it
again; its question must then hold everything else the bytes depend on,
such as the reader's language.

Inside a transaction the stamp does not yet count the transaction's own
changes (PostgreSQL counts them at commit), so there the answer is computed
and not remembered."""

from __future__ import annotations

import datetime
import hashlib
import logging
from collections.abc import Callable
from contextvars import ContextVar
from functools import wraps
from typing import TypeVar

from django.core.cache import cache, caches
from django.db import connection
from django.utils import timezone

from salon.models import Salon
from sessions.availability import to_minutes
from sessions.models import AvailabilityStamp, BookingHold

logger = logging.getLogger(__name__)
Answer = TypeVar("Answer")
# Answers are asked for again within a minute or not at all (the key holds the minute).
KEEP_SECONDS = 120
STAMP_OF_LOCATION = (
    f"SELECT stamp.business_id, stamp.version FROM {AvailabilityStamp._meta.db_table} stamp "  # noqa: S608
    f"JOIN {Salon._meta.db_table} location ON location.business_id = stamp.business_id WHERE location.id = %s"
)


# When the first hold of a business that is still held runs out (an answer that counted it as busy
# is not served past then). Plain SQL: read for every answer computed, where the ORM's aggregate
# cost more to build than the query takes.
FIRST_HOLD_ENDS = (
    f"SELECT MIN(hold.expires_at) FROM {BookingHold._meta.db_table} hold "  # noqa: S608
    f"JOIN {Salon._meta.db_table} location ON location.id = hold.salon_id "
    "WHERE location.business_id = %s AND hold.status = %s AND hold.expires_at > %s"
)


_stamps_read: ContextVar[dict[int, tuple[int, int]] | None] = ContextVar("availability_stamps_read", default=None)
_first_holds_end: ContextVar[dict[int, datetime.datetime | None] | None] = ContextVar(
    "availability_first_holds_end", default=None
)


def one_stamp_reading(view):
    """For a view that only reads: each location's stamp is read once, by
    the first answer it asks for, and every later answer is looked up and
    kept under that reading. An answer computed after the reading is then at
    least as new as its stamp, which is all that keeping it under the stamp
    needs. Not for a view that writes: after its own write it would find
    the answers from before it."""

    @wraps(view)
    def reading_once(*args, **kwargs):
        token, holds_token = _stamps_read.set({}), _first_holds_end.set({})
        try:
            return view(*args, **kwargs)
        finally:
            _stamps_read.reset(token)
            _first_holds_end.reset(holds_token)

    return reading_once


def _first_hold_ends(business_id: int, moment: datetime.datetime) -> datetime.datetime | None:
    """When the business's first hold still held at ``moment`` runs out (None: none is), read
    before computing an answer: a hold made after this is a change, and moves the stamp. A view
    that reads the stamp once (:func:`one_stamp_reading`) reads this once too, by the same
    argument: each answer it computes is at least as new as the reading."""
    readings = _first_holds_end.get()
    if readings is not None and business_id in readings:
        return readings[business_id]
    with connection.cursor() as cursor:
        cursor.execute(FIRST_HOLD_ENDS, [business_id, BookingHold.Status.HELD,
                                         connection.ops.adapt_datetimefield_value(moment)])  # fmt: skip
        (first,) = cursor.fetchone()
    if isinstance(first, str):  # SQLite keeps times as text, in UTC
        first = datetime.datetime.fromisoformat(first).replace(tzinfo=datetime.UTC)
    if readings is not None:
        readings[business_id] = first
    return first


def remembered(*, salon: Salon | int, question: tuple, now: datetime.datetime, compute: Callable[[], Answer]) -> Answer:
    """``compute()``, or the answer it gave to the same ``question`` about the
    location ``salon`` in the same minute ``now`` with nothing changed since.
    ``question`` holds everything else the answer depends on, as plain
    values. ``salon`` is a location as read, whose settings count into the
    question, or an id, when ``compute`` reads the location itself."""
    if connection.in_atomic_block:
        return compute()
    salon_id = salon if isinstance(salon, int) else salon.pk
    if not isinstance(salon, int):
        # The location was read before the stamp: a settings change committed in between must not
        # be remembered under the newer stamp with the older settings.
        question = (*question, salon.time_zone, salon.slot_minutes, salon.min_notice_minutes,
                    salon.booking_horizon_days, salon.online_notice_minutes, salon.online_horizon_days)  # fmt: skip
    readings = _stamps_read.get()
    stamp = readings.get(salon_id) if readings is not None else None
    if stamp is None:
        with connection.cursor() as cursor:
            # Plain SQL: on a remembered answer, building this query in the ORM would cost more than the rest.
            cursor.execute(STAMP_OF_LOCATION, [salon_id])
            stamp = cursor.fetchone()
        if readings is not None and stamp is not None:
            readings[salon_id] = stamp
    if stamp is None:
        return compute()
    business_id, version = stamp
    key = "availability:" + hashlib.sha256(repr((salon_id, version, to_minutes(now), question)).encode()).hexdigest()
    # This process's memory first: the key alone says whether an answer is current.
    kept = caches["process"].get(key)
    if kept is None:
        try:
            kept = cache.get(key)
        except Exception:  # The cache being down must not stop anyone booking: compute instead.
            logger.warning("The cache could not be read; computing free times.", exc_info=True)
            return compute()
        if kept is not None:
            caches["process"].set(key, kept, timeout=KEEP_SECONDS)
    moment = timezone.now()
    if kept is not None and moment < kept[1]:
        return kept[0]
    first_hold_ends = _first_hold_ends(business_id, moment)
    answer = compute()
    fresh_until = first_hold_ends or moment + datetime.timedelta(seconds=KEEP_SECONDS)
    caches["process"].set(key, (answer, fresh_until), timeout=KEEP_SECONDS)
    try:
        cache.set(key, (answer, fresh_until), timeout=KEEP_SECONDS)
    except Exception:
        logger.warning("The cache could not be written; the free times were computed.", exc_info=True)
    return answer
