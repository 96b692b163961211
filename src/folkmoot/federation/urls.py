from django.urls import path

from . import views

urlpatterns = [
    path("assemblies/", views.assembly_index, name="assembly-index"),
    path("assemblies/<slug:slug>/", views.assembly_detail, name="assembly-detail"),
    path("assemblies/<slug:slug>/join/", views.assembly_join, name="assembly-join"),
    path("assemblies/<slug:slug>/leave/", views.assembly_leave, name="assembly-leave"),
    path("assemblies/<slug:slug>/members/", views.assembly_members, name="assembly-members"),
    path(
        "assemblies/<slug:slug>/members/<int:pk>/status/",
        views.membership_status,
        name="membership-status",
    ),
    path("assemblies/<slug:slug>/requests/", views.join_requests, name="assembly-requests"),
    path("requests/<int:pk>/decide/", views.join_request_decide, name="join-request-decide"),
    path("r/<str:reference>/", views.assembly_by_reference, name="assembly-by-reference"),
]
