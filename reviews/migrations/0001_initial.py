"""The auditor assignment moves from audits to reviews: the table stays, only the state moves."""

import django.db.models.deletion
import django.db.models.manager
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("audits", "0004_event_dated"),
        ("institutions", "0002_institution_created_at_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AuditorAssignment",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("auditor_email", models.EmailField(help_text="Kept for the record if the account goes.", max_length=254)),
                        ("assigned_at", models.DateTimeField(auto_now_add=True)),
                        ("ended_at", models.DateTimeField(blank=True, null=True)),
                        ("end_reason", models.CharField(blank=True, max_length=200)),
                        ("assigned_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("audit", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="assignments", to="audits.audit")),
                        ("auditor", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="audit_assignments", to=settings.AUTH_USER_MODEL)),
                        ("ended_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("institution", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="institutions.institution")),
                    ],
                    options={
                        "ordering": ["-assigned_at"],
                        "abstract": False,
                        "base_manager_name": "unscoped",
                        "db_table": "audits_auditorassignment",
                        "constraints": [
                            models.UniqueConstraint(condition=models.Q(("ended_at__isnull", True)), fields=("audit", "auditor"), name="assignment_one_active_per_auditor"),
                        ],
                    },
                    managers=[
                        ("objects", django.db.models.manager.Manager()),
                        ("unscoped", django.db.models.manager.Manager()),
                    ],
                ),
            ],
            database_operations=[],
        ),
    ]
