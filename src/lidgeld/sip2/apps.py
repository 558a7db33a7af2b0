from django.apps import AppConfig


class Config(AppConfig):
    name = "lidgeld.sip2"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Zelfuitleentoestellen (SIP2)"
