from django.urls import path

from . import views

urlpatterns = [
    path("register/<int:pk>/project/", views.project_page, name="project"),
    path("register/<int:pk>/project/owner/", views.project_owner, name="project-owner"),
    path("register/<int:pk>/project/progress/", views.project_progress, name="project-progress"),
]
