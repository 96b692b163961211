"""Feeds read by calendar programs and feed readers (BEY-5)."""

from django.urls import path

from . import feeds

urlpatterns = [
    path("assemblies/<slug:slug>/decisions.ics", feeds.assembly_calendar, name="decisions-ics"),
    path("me/calendar/<str:key>.ics", feeds.person_calendar, name="person-ics"),
    path("register/feed.atom", feeds.register_feed, name="register-feed"),
    path(
        "assemblies/<slug:slug>/register.atom",
        feeds.assembly_register_feed,
        name="assembly-register-feed",
    ),
]
