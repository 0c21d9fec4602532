"""Pages of the sessions app: the front desk, the therapist's day and
session, the client's feedback and cancel forms, the calendar feed."""

from django.urls import path

from sessions import cancel_views, course_views, desk_views, feedback_views, therapist_views, views, waitlist_views

urlpatterns = [
    path("forms/feedback/<str:token>/", feedback_views.feedback_link, name="feedback-form-link"),
    path("forms/feedback/", feedback_views.feedback_form, name="feedback-form"),
    path("forms/cancel/<str:token>/", cancel_views.cancel_link, name="cancel-link"),
    path("forms/cancel/", cancel_views.cancel_form, name="cancel-form"),
    path("desk/", desk_views.desk, name="desk"),
    path("desk/book/", desk_views.desk_book, name="desk-book"),
    path("desk/clients/", desk_views.desk_clients, name="desk-clients"),
    path("desk/next-free/", desk_views.desk_next_free, name="desk-next-free"),
    path("desk/waitlist/", waitlist_views.desk_waitlist, name="desk-waitlist"),
    path("desk/appointments/<int:pk>/move/", desk_views.desk_move, name="desk-move"),
    path("desk/appointments/<int:pk>/course/", course_views.desk_course, name="desk-course"),
    path("desk/appointments/<int:pk>/", views.desk_appointment, name="desk-appointment"),
    path("desk/appointments/<int:pk>/<slug:action>/", views.desk_action, name="desk-action"),
    path("my-day/", therapist_views.my_day, name="my-day"),
    path("my-day/print/", therapist_views.day_sheet, name="day-sheet"),
    path("my-day/calendar-feed/reset/", therapist_views.calendar_feed_reset, name="calendar-feed-reset"),
    path("my-day/time-off/", therapist_views.my_time_off, name="my-time-off"),
    path("my-day/time-off/request/", therapist_views.my_time_off_request, name="my-time-off-request"),
    path("my-day/time-off/<int:time_off>/withdraw/", therapist_views.my_time_off_withdraw, name="my-time-off-withdraw"),
    path("calendar/<str:token>.ics", therapist_views.calendar_feed, name="calendar-feed"),
    path("sessions/<int:pk>/", therapist_views.session_run, name="session-run"),
    path("sessions/<int:pk>/<slug:action>/", therapist_views.session_action, name="session-action"),
]
