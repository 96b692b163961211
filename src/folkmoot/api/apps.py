from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "folkmoot.api"
    label = "folkmoot_api"
