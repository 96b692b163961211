from django.urls import path

from . import founding_views, page_views, reshaping_views, roll_views, views

urlpatterns = [
    path("assemblies/", views.assembly_index, name="assembly-index"),
    path("assemblies/<slug:slug>/", views.assembly_detail, name="assembly-detail"),
    path("assemblies/<slug:slug>/edit/", views.assembly_edit, name="assembly-edit"),
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

urlpatterns += [  # founding assemblies (ASM-2, issue 13)
    path("assemblies/<slug:slug>/found/", founding_views.found, name="assembly-found"),
    path("foundings/", founding_views.founding_index, name="foundings"),
    path("foundings/<int:pk>/", founding_views.founding_detail, name="founding"),
    path("foundings/<int:pk>/decide/", founding_views.founding_decide, name="founding-decide"),
]

urlpatterns += [  # moving, merging and closing assemblies (ASM-2, issue 13)
    path("assemblies/<slug:slug>/reshape/", reshaping_views.reshape, name="assembly-reshape"),
    path("reshaping/<int:pk>/", reshaping_views.reshaping_detail, name="reshaping"),
    path("reshaping/<int:pk>/decide/", reshaping_views.reshaping_decide, name="reshaping-decide"),
]

urlpatterns += [  # the member roll (MEM-1, issue 13)
    path("assemblies/<slug:slug>/roll/", roll_views.roll_page, name="roll"),
    path("assemblies/<slug:slug>/roll.csv", roll_views.roll_export, name="roll-export"),
    path("assemblies/<slug:slug>/roll/<int:pk>/", roll_views.roll_import, name="roll-import"),
    path(
        "assemblies/<slug:slug>/roll/<int:pk>/confirm/",
        roll_views.roll_confirm,
        name="roll-confirm",
    ),
]

urlpatterns += [  # a federation's own pages (issue 13)
    path("privacy/", page_views.privacy, name="privacy"),
    path("assemblies/<slug:slug>/pages/new/", page_views.edit_page, name="federation-page-new"),
    path("assemblies/<slug:slug>/pages/<slug:page_slug>/", page_views.page, name="federation-page"),
    path(
        "assemblies/<slug:slug>/pages/<slug:page_slug>/edit/",
        page_views.edit_page,
        name="federation-page-edit",
    ),
]
