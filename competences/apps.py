from django.apps import AppConfig


class CompetencesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "competences"
    verbose_name = "Supporters' competences"
