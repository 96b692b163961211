from django.urls import path

from . import views

urlpatterns = [
    path("assemblies/<slug:slug>/posts/<int:pk>/report/", views.report_post, name="post-report"),
    path("assemblies/<slug:slug>/posts/<int:pk>/trash/", views.trash_post, name="post-trash"),
    path("assemblies/<slug:slug>/posts/<int:pk>/keep/", views.keep_post, name="post-keep"),
    path("assemblies/<slug:slug>/posts/<int:pk>/restore/", views.restore_post, name="post-restore"),
    path("assemblies/<slug:slug>/moderation/", views.moderation_queue, name="moderation"),
    path("assemblies/<slug:slug>/sanctions/", views.sanctions_page, name="sanctions"),
    path("assemblies/<slug:slug>/sanctions/impose/", views.impose, name="sanction-impose"),
    path(
        "assemblies/<slug:slug>/sanctions/<int:pk>/endorse/", views.endorse, name="sanction-endorse"
    ),
    path("assemblies/<slug:slug>/suspensions/", views.suspend, name="office-suspend"),
    path("assemblies/<slug:slug>/misconducts/", views.find_misconduct, name="office-misconduct"),
    path(
        "assemblies/<slug:slug>/misconducts/<int:pk>/back/",
        views.back_misconduct,
        name="office-misconduct-back",
    ),
    path("assemblies/<slug:slug>/sanctions/<int:pk>/lift/", views.lift, name="sanction-lift"),
]
