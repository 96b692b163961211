from django.urls import path

from . import views

urlpatterns = [
    path("assemblies/<slug:slug>/chat/<slug:room>/", views.room_page, name="chat-room"),
    path("assemblies/<slug:slug>/chat/<slug:room>/post/", views.room_post, name="chat-post"),
]
