from django.urls import path

from . import views

urlpatterns = [
    path(
        "attachments/<int:pk>/thumbnail/", views.attachment_thumbnail, name="attachment-thumbnail"
    ),
    path("attachments/<int:pk>/remove/", views.remove, name="attachment-remove"),
    path("attachments/<int:pk>/hide/", views.hide, name="attachment-hide"),
    path("attachments/<int:pk>/show/", views.show, name="attachment-show"),
    path("attachments/<int:pk>/<str:name>", views.attachment_file, name="attachment"),
    path("attachments/on/<slug:kind>/<int:pk>/", views.attach, name="attach"),
]
