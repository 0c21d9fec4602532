"""The manager's area, /manage/."""

from django.urls import path

from manager import views

urlpatterns = [
    path("manage/", views.index, name="manage"),
    path("manage/hours/", views.hours, name="manage-hours"),
    path("manage/hours/closures/", views.closure_add, name="manage-closure-add"),
    path("manage/hours/special/", views.special_hours_set, name="manage-special-hours"),
    path("manage/hours/special/<str:day>/clear/", views.special_day_clear, name="manage-special-day-clear"),
]
