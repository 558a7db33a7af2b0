from django.apps import AppConfig


class Config(AppConfig):
    name = "lidgeld.portal"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Mijn Bibliotheek"
