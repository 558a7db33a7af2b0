from django.apps import AppConfig


class Config(AppConfig):
    name = "lidgeld.circulation"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Uitlening en reservering"
