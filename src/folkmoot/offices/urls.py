from django.urls import path

from . import views

urlpatterns = [
    path("assemblies/<slug:slug>/offices/", views.offices_page, name="offices"),
    path("assemblies/<slug:slug>/elections.ics", views.calendar_feed, name="elections-ics"),
    path("assemblies/<slug:slug>/offices/<slug:office>/stand/", views.stand, name="office-stand"),
    path(
        "assemblies/<slug:slug>/offices/<slug:office>/absence/",
        views.declare_absence,
        name="office-absence",
    ),
    path(
        "assemblies/<slug:slug>/offices/<slug:office>/resign/", views.resign, name="office-resign"
    ),
    path(
        "assemblies/<slug:slug>/offices/<slug:office>/appoint/",
        views.appoint,
        name="office-appoint",
    ),
    path(
        "assemblies/<slug:slug>/offices/<slug:office>/appointments/<int:pk>/end/",
        views.end_appointment,
        name="office-appointment-end",
    ),
    path(
        "assemblies/<slug:slug>/candidacies/<int:pk>/withdraw/",
        views.withdraw,
        name="candidacy-withdraw",
    ),
]
