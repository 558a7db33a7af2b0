from django.apps import AppConfig


class Config(AppConfig):
    name = "lidgeld.staffweb"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Medewerkers (web)"
