from django.apps import AppConfig


class InstitutionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "institutions"
    verbose_name = "Institutions"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save  # noqa: PLC0415

        from institutions.models import Membership  # noqa: PLC0415
        from rescue.memo import forget  # noqa: PLC0415

        # Access answers remembered in a request rest on these rows.
        for signal in (post_save, post_delete):
            signal.connect(forget, sender=Membership, dispatch_uid="memo-forget-membership")
