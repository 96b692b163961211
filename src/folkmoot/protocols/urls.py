from django.urls import path

from . import amend_views, views

urlpatterns = [
    path("assemblies/<slug:slug>/protocol/", views.protocol_page, name="protocol"),
    path(
        "assemblies/<slug:slug>/protocol/versions/",
        views.protocol_versions,
        name="protocol-versions",
    ),
    path(
        "assemblies/<slug:slug>/protocol/versions/<int:number>/",
        views.protocol_version,
        name="protocol-version",
    ),
    path("assemblies/<slug:slug>/protocol/diff/", views.protocol_diff, name="protocol-diff"),
    path("assemblies/<slug:slug>/protocol/adopt/", views.protocol_adopt, name="protocol-adopt"),
    path("assemblies/<slug:slug>/protocol/amend/", amend_views.amend, name="protocol-amend"),
]
