from django.apps import AppConfig


class Config(AppConfig):
    name = "lidgeld.operations"
    verbose_name = "Handelingen"
