from django.apps import AppConfig


class AuditsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "audits"
    verbose_name = "Audits"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save  # noqa: PLC0415

        from audits.models import AuditUserObjectPermission  # noqa: PLC0415
        from rescue.memo import forget  # noqa: PLC0415

        # Access answers remembered in a request rest on these rows.
        for signal in (post_save, post_delete):
            signal.connect(
                forget,
                sender=AuditUserObjectPermission,
                dispatch_uid="memo-forget-audituserobjectpermission",
            )
