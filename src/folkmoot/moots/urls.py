from django.urls import path

from . import room_views, views

urlpatterns = [
    path("assemblies/<slug:slug>/moots/", views.assembly_moots, name="assembly-moots"),
    path("assemblies/<slug:slug>/moots/new/", views.moot_new, name="moot-new"),
    path("moots/<int:pk>/", views.moot_detail, name="moot"),
    path("moots/<int:pk>.ics", views.moot_ics, name="moot-ics"),
    path("moots/<int:pk>/register/", views.moot_register, name="moot-register"),
    path("moots/<int:pk>/cancel/", views.moot_cancel, name="moot-cancel"),
    path("moots/<int:pk>/edit/", views.moot_edit, name="moot-edit"),
    path("moots/<int:pk>/minutes/", views.moot_minutes, name="moot-minutes"),
    path("moots/<int:pk>/minutes/publish/", views.moot_publish, name="moot-publish"),
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

urlpatterns += [  # the live room (MEET-3)
    path("moots/<int:pk>/room/", room_views.moot_room, name="moot-room"),
    path("moots/<int:pk>/room/take-up/", room_views.room_take_up, name="moot-take-up"),
    path("moots/<int:pk>/room/hand/", room_views.room_hand, name="moot-hand"),
    path("moots/<int:pk>/room/floor/", room_views.room_floor, name="moot-floor"),
    path("moots/<int:pk>/room/progressive/", room_views.room_progressive, name="moot-progressive"),
    path("moots/<int:pk>/room/presence/", room_views.room_presence, name="moot-presence"),
    path("moots/<int:pk>/room/check/", room_views.room_check, name="moot-check"),
    path("moots/<int:pk>/room/respond/", room_views.room_respond, name="moot-respond"),
    path(
        "moots/<int:pk>/room/minutes/<int:point_pk>/",
        room_views.room_minutes,
        name="moot-point-minutes",
    ),
]
