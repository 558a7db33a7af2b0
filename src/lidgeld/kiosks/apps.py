from django.apps import AppConfig


class Config(AppConfig):
    """Kiosk accounts and the fees paid at kiosks: the data the SIP2 protocol
    (``lidgeld.sip2``) serves from. The label stays ``sip2``, so the tables, the
    migrations and the permissions made before this app had its own package keep
    their names."""

    name = "lidgeld.kiosks"
    label = "sip2"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Zelfuitleentoestellen (SIP2)"
