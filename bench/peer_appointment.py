"""The same availability question answered by this project and by
django-appointment, in one run, on the same data, so that the ratio is
measured rather than quoted.

The data is ``bench.availability``'s (20 therapists, 30 days, 2,400
bookings, a closed day). It is copied into django-appointment's own models
in the same scratch database: each therapist becomes a ``StaffMember`` who
offers a 60-minute service, with one ``WorkingHours`` row per weekday from
their earliest shift start to their latest shift end, each booking an
``AppointmentRequest`` and ``Appointment`` (in Berlin's wall-clock time,
ending when the therapist is free again, so the turnover is kept), and the
closed day a ``DayOff``. django-appointment then computes each therapist's
free starts for each day with its own ``get_available_slots_for_staff``, as
its booking page asks for them (one call per staff member and day: 600).

The peer does less work than this project on the same question: it knows no
rooms, no second location and its travel time, no alternating or dated
rotas, no special opening hours; the comparison therefore flatters the
peer, not this project.

django-appointment is an optional extra, not a dependency: install it apart
from the project's locked packages, e.g.
``.venv/bin/pip install --no-deps --target var/peer-appointment
django-appointment==3.12.0 "Pillow<13" "django-phonenumber-field<9" "babel<3"
"colorama<0.5"`` (Django, phonenumbers and icalendar come from the
project), then run ``scripts/testenv.py -m bench.peer_appointment``.
``PEER_APPOINTMENT_PATH`` names another folder. Without it, the script
prints a ``skipped`` line saying so and exits 0.
"""

import importlib.util
import json
import os
import sys
from pathlib import Path

CASE = "peer-django-appointment-20x30"
ROOT = Path(__file__).resolve().parent.parent
PEER_PATH = Path(os.environ.get("PEER_APPOINTMENT_PATH", ROOT / "var" / "peer-appointment"))
INSTALL = (
    '.venv/bin/pip install --no-deps --target var/peer-appointment django-appointment==3.12.0 "Pillow<13" '
    '"django-phonenumber-field<9" "babel<3" "colorama<0.5"'
)

if PEER_PATH.is_dir():
    sys.path.append(str(PEER_PATH))


def main() -> None:
    from bench.harness import measure, scratch_database

    peer_migrations()
    with scratch_database():
        import datetime

        from django.db import connection, transaction

        from bench.availability import DAYS, THERAPISTS, fill
        from sessions.selectors import availability

        locations, routine, first, counts = fill()
        copied = copy_to_peer(locations[0], first)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        last = first + datetime.timedelta(days=DAYS - 1)
        ours = {}

        def ours_run():
            # Inside a transaction nothing is remembered: the slots are computed, as the peer's are.
            with transaction.atomic():
                slots, _ = availability(salon=locations[0], routine=routine, first_day=first, last_day=last)
            ours["starts"] = len({(slot.start, slot.therapist) for slot in slots})

        peer = {}

        def peer_run():
            peer["starts"] = peer_slots(copied, first)

        common = {"therapists": THERAPISTS, "days": DAYS, "bookings": counts["Berlin"] + counts["London"]}
        salon_result = measure(f"{CASE}-salon", ours_run, repeat=20, warmup=2, **common)
        peer_result = measure(f"{CASE}-peer", peer_run, repeat=3, warmup=1, peer_calls=THERAPISTS * DAYS, **common)
        print(
            json.dumps(
                {
                    "case": CASE,
                    "salon_median_ms": salon_result["median_ms"],
                    "peer_median_ms": peer_result["median_ms"],
                    "ratio": round(peer_result["median_ms"] / salon_result["median_ms"], 1),
                    "salon_queries": salon_result["queries"],
                    "peer_queries": peer_result["queries"],
                    # Not the same quantity: the project's starts are where a therapist and a room
                    # are free at Berlin; the peer's, where the staff member is free at all.
                    "salon_therapist_starts": ours["starts"],
                    "peer_staff_starts": peer["starts"],
                    "peer": f"django-appointment {peer_version()}",
                    "database": connection.vendor,
                    **common,
                }
            ),
            flush=True,
        )


def peer_migrations() -> None:
    """django-appointment's package ships no migrations (its users make their
    own): made once, beside it, where ``bench.settings_peer`` points."""
    from django.core.management import call_command

    folder = PEER_PATH / "peer_appointment_migrations"
    if not (folder / "0001_initial.py").exists():
        folder.mkdir(exist_ok=True)
        (folder / "__init__.py").touch()
        call_command("makemigrations", "appointment", verbosity=0)


def peer_version() -> str:
    from importlib.metadata import version

    return version("django-appointment")


def copy_to_peer(berlin, first) -> list:
    """The bench's therapists, their hours, bookings and closed days in
    django-appointment's models; returns its staff members."""
    import datetime

    from appointment.models import Appointment as PeerAppointment
    from appointment.models import AppointmentRequest, DayOff, Service, StaffMember
    from appointment.models import WorkingHours as PeerHours
    from appointment.utils.date_time import get_weekday_num

    from salon.models import SpecialDay, Therapist, WorkingHours
    from sessions.models import Appointment

    service = Service.objects.create(name="Classic back massage", duration=datetime.timedelta(minutes=60), price=70,
                                     use_service_duration_as_slot=True)  # fmt: skip
    therapists = list(Therapist.objects.filter(business=berlin.business).order_by("pk"))
    staff = StaffMember.objects.bulk_create(
        StaffMember(user=therapist.user, slot_duration=berlin.slot_minutes, appointment_buffer_time=0,
                    slot_gap_time=0, work_on_saturday=True, work_on_sunday=True)
        for therapist in therapists
    )  # fmt: skip
    for member in staff:
        member.services_offered.add(service)
    by_therapist = dict(zip((therapist.pk for therapist in therapists), staff, strict=True))

    spans = {}
    for shift in WorkingHours.objects.filter(therapist__in=therapists):
        key = (shift.therapist_id, shift.weekday)
        starts, ends = spans.get(key, (shift.starts, shift.ends))
        spans[key] = (min(starts, shift.starts), max(ends, shift.ends))
    weekday_names = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    PeerHours.objects.bulk_create(
        PeerHours(staff_member=by_therapist[therapist], day_of_week=get_weekday_num(weekday_names[weekday]),
                  start_time=starts, end_time=ends)
        for (therapist, weekday), (starts, ends) in spans.items()
    )  # fmt: skip

    bookings = list(Appointment.objects.filter(therapist__in=therapists).order_by("start"))
    requests = AppointmentRequest.objects.bulk_create(
        AppointmentRequest(date=booking.start.astimezone(berlin.zone).date(),
                           start_time=booking.start.astimezone(berlin.zone).time(),
                           end_time=booking.busy_until.astimezone(berlin.zone).time(), service=service,
                           staff_member=by_therapist[booking.therapist_id])
        for booking in bookings
    )  # fmt: skip
    PeerAppointment.objects.bulk_create(PeerAppointment(appointment_request=request) for request in requests)
    closed = SpecialDay.objects.filter(salon=berlin, opens__isnull=True).values_list("day", flat=True)
    DayOff.objects.bulk_create(
        DayOff(staff_member=member, start_date=day, end_date=day, description="Closed")
        for member in staff
        for day in closed
    )
    return staff


def peer_slots(staff: list, first) -> int:
    """django-appointment's free starts for every staff member and day, the
    way its booking page asks for them; returns how many there are."""
    import datetime

    from appointment.models import Service
    from appointment.services import get_available_slots_for_staff
    from appointment.utils.db_helpers import get_weekday_num_from_date

    from bench.availability import DAYS

    service = Service.objects.get()
    starts = 0
    for offset in range(DAYS):
        day = first + datetime.timedelta(days=offset)
        for member in staff:
            starts += len(get_available_slots_for_staff(day, member, get_weekday_num_from_date(day), service))
    return starts


if __name__ == "__main__":
    if importlib.util.find_spec("appointment") is None:
        print(json.dumps({"case": CASE, "skipped": f"django-appointment is not installed: {INSTALL}"}), flush=True)
        sys.exit(0)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings_peer"
    main()
