from django.urls import path

from . import views

urlpatterns = [
    path("assemblies/<slug:slug>/moots/", views.assembly_moots, name="assembly-moots"),
    path("assemblies/<slug:slug>/moots/new/", views.moot_new, name="moot-new"),
    path("moots/<int:pk>/", views.moot_detail, name="moot"),
    path("moots/<int:pk>.ics", views.moot_ics, name="moot-ics"),
    path("moots/<int:pk>/register/", views.moot_register, name="moot-register"),
    path("moots/<int:pk>/cancel/", views.moot_cancel, name="moot-cancel"),
    path("moots/<int:pk>/points/", views.moot_point_add, name="moot-point-add"),
    path(
        "moots/<int:pk>/points/<int:point_pk>/decide/",
        views.moot_point_decide,
        name="moot-point-decide",
    ),
    path(
        "moots/<int:pk>/points/<int:point_pk>/move/",
        views.moot_point_move,
        name="moot-point-move",
    ),
]
