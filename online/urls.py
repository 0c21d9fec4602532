"""Pages of online booking, under /book/ (no login)."""

from django.urls import path

from online import views, waitlist_views

urlpatterns = [
    path("", views.book_start, name="book"),
    path("privacy/", views.book_privacy, name="book-privacy"),
    path("confirm/<str:token>/", views.book_confirm, name="book-confirm"),
    path("reschedule/<str:token>/", views.reschedule_link, name="book-reschedule-link"),
    path("reschedule/", views.reschedule_form, name="book-reschedule"),
    path("<int:location>/", views.book_location, name="book-location"),
    path("<int:location>/details/", views.book_details, name="book-details"),
    path("<int:location>/hold/", views.book_hold, name="book-hold"),
    path("<int:location>/waitlist/join/", waitlist_views.waitlist_join_page, name="book-waitlist-join"),
    path("waitlist/<str:token>/", waitlist_views.waitlist_entry_page, name="book-waitlist"),
    path("offer/<str:token>/", waitlist_views.offer_page, name="book-offer"),
]
