from django.urls import path

from . import views

urlpatterns = [
    path("notifications/", views.notifications_page, name="notifications"),
    path("notifications/read/", views.mark_read, name="notifications-read"),
    path("notifications/preferences/", views.preferences_page, name="notification-preferences"),
    path(
        "notifications/preferences/calendar/",
        views.calendar_key,
        name="notification-calendar-key",
    ),
]
