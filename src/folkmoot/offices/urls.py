from django.urls import path

from . import views

urlpatterns = [
    path("assemblies/<slug:slug>/offices/", views.offices_page, name="offices"),
    path("assemblies/<slug:slug>/elections.ics", views.calendar_feed, name="elections-ics"),
    path("assemblies/<slug:slug>/offices/<slug:office>/stand/", views.stand, name="office-stand"),
    path(
        "assemblies/<slug:slug>/offices/<slug:office>/resign/", views.resign, name="office-resign"
    ),
    path(
        "assemblies/<slug:slug>/candidacies/<int:pk>/withdraw/",
        views.withdraw,
        name="candidacy-withdraw",
    ),
]
