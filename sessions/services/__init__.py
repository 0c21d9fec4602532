"""Use cases of the sessions app, one module per job (like Zulip's
``zerver/actions/``). Pages, the API and tasks import each function from its
module:

- ``booking``: book (also with a new client) and reschedule, after checking the start time
- ``placement``: choose and lock the therapist and the room for a booking
- ``lifecycle``: status changes (check in, cancel, no-show, ...) and cancelling from a client's link
- ``plans``: the one way a session plan is made, and rebuilding plans after a screening changes
- ``running``: running a session: acknowledging findings, starting, pressure feedback, notes, completing
- ``feedback``: the client's feedback after a session
- ``pain``: the client's pain before a session, from the intake step
- ``outbox``: writing, dispatching and sending the notifications to clients
- ``closures``: opening hours, closures and special hours of a location
- ``rotas``: a therapist's rota at a location, from a date, alternating weeks
- ``time_off``: therapists' requests, managers' decisions, time off entered directly
- ``rooms``: taking a room out of use (or back)
- ``staffing``: deactivating and reactivating staff, changes to a therapist that bookings depend on

Each refuses a change that would strand a booked session (409
``bookings_in_the_way``), naming the sessions.
"""
