from django.urls import path

from .consumers import MootRoomConsumer

websocket_urlpatterns = [
    path("ws/moots/<int:pk>/room/", MootRoomConsumer.as_asgi()),
]
