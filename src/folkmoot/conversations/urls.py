from django.urls import path

from . import views

urlpatterns = [
    path("messages/", views.inbox_page, name="conversations"),
    path("messages/new/", views.new_page, name="conversation-new"),
    path(
        "messages/new/assemblies/<slug:slug>/offices/<slug:office>/",
        views.to_office_page,
        name="conversation-to-office",
    ),
    path(
        "messages/new/assemblies/<slug:slug>/appeal/", views.appeal_page, name="conversation-appeal"
    ),
    path("messages/<int:pk>/", views.conversation_page, name="conversation"),
    path("messages/<int:pk>/reply/", views.reply, name="conversation-reply"),
    path("messages/<int:pk>/leave/", views.leave, name="conversation-leave"),
    path("messages/<int:pk>/people/", views.add_page, name="conversation-add"),
    path("messages/message/<int:pk>/report/", views.report, name="message-report"),
    path("messages/blocks/", views.blocks_page, name="conversation-blocks"),
    path("messages/blocks/add/", views.block, name="conversation-block"),
    path("messages/blocks/<str:person>/remove/", views.unblock, name="conversation-unblock"),
    path("messages/reports/", views.reports_page, name="conversation-reports"),
    path("messages/reports/<int:pk>/hide/", views.hide, name="message-hide"),
    path("messages/reports/<int:pk>/dismiss/", views.dismiss, name="message-dismiss"),
]
