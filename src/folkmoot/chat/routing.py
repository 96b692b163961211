from django.urls import path

from .consumers import ChatConsumer

websocket_urlpatterns = [
    path("ws/assemblies/<slug:slug>/chat/<slug:room>/", ChatConsumer.as_asgi()),
]
