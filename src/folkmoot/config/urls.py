from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from folkmoot.api.urls import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("folkmoot.pages.urls")),
    path("", include("folkmoot.federation.urls")),
    path("", include("folkmoot.protocols.urls")),
    path("", include("folkmoot.forums.urls")),
    path("", include("folkmoot.moderation.urls")),
    path("", include("folkmoot.chat.urls")),
    path("", include("folkmoot.conversations.urls")),
    path("", include("folkmoot.moots.urls")),
    path("", include("folkmoot.attachments.urls")),
    path("", include("folkmoot.amendments.urls")),
    path("", include("folkmoot.sealed.urls")),
    path("", include("folkmoot.notifications.urls")),
    path("", include("folkmoot.decisions.urls")),
    path("", include("folkmoot.decisions.feed_urls")),
    path("", include("folkmoot.projects.urls")),
    path("", include("folkmoot.offices.urls")),
    path("", include("folkmoot.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
