from django.apps import AppConfig


class Config(AppConfig):
    name = "lidgeld.web"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Web"
