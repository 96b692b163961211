from django.urls import path

from . import views

urlpatterns = [
    path("notifications/", views.notifications_page, name="notifications"),
    path("notifications/<int:pk>/", views.notification_open, name="notification-open"),
    path("notifications/read/", views.mark_read, name="notifications-read"),
    path("notifications/preferences/", views.preferences_page, name="notification-preferences"),
    path(
        "notifications/preferences/calendar/",
        views.calendar_key,
        name="notification-calendar-key",
    ),
    path("notifications/stop/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("dev/outbox/", views.outbox_page, name="dev-outbox"),
]
