from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("help/<slug:topic>/", views.help_page, name="help"),
    path("cookies/", views.cookie_settings, name="cookie-settings"),
    path("language/", views.set_language, name="set-language"),
    path("healthz/", views.healthz, name="healthz"),
]
