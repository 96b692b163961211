from django.urls import path

from . import views

urlpatterns = [
    path("votes/<int:pk>/sealed/", views.sealed_vote, name="sealed_vote"),
    path("votes/<int:pk>/sealed/key/", views.sealed_register, name="sealed_register"),
    path("votes/<int:pk>/sealed/ballot/", views.sealed_cast, name="sealed_cast"),
    path(
        "votes/<int:pk>/sealed/guardian/<slug:step>/",
        views.sealed_guardian,
        name="sealed_guardian",
    ),
    path("votes/<int:pk>/sealed/box/", views.sealed_box, name="sealed_box"),
    path("votes/<int:pk>/sealed/files/<str:name>", views.sealed_download, name="sealed_file"),
]
