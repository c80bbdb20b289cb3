import re

from django.db import migrations, models

CODE = re.compile(r"\b(?:INT|TRA|COM)\d{2}\b")


def backfill(apps, schema_editor):
    """Events recorded before the field named their standards in their label or details."""
    AuditEvent = apps.get_model("audits", "AuditEvent")
    StandardAssessment = apps.get_model("audits", "StandardAssessment")
    EvidenceLink = apps.get_model("evidence", "EvidenceLink")
    for event in AuditEvent._base_manager.exclude(audit=None).iterator():
        codes = set(CODE.findall(event.object_label))
        named = event.details.get("standards") if isinstance(event.details, dict) else None
        if isinstance(named, list):
            codes |= {code for code in named if isinstance(code, str)}
        assessments = set(
            StandardAssessment._base_manager.filter(
                audit_id=event.audit_id, standard__code__in=codes
            ).values_list("pk", flat=True)
        )
        if event.action in {"replaced", "deleted", "flag_reviewed"}:
            name = event.object_label
            assessments |= set(
                EvidenceLink._base_manager.filter(
                    evidence__audit_id=event.audit_id,
                    evidence__revisions__original_name=name,
                ).values_list("assessment_id", flat=True)
            )
        if assessments:
            event.assessments.set(assessments)


class Migration(migrations.Migration):
    dependencies = [
        ("audits", "0002_alter_auditevent_action"),
        ("evidence", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="assessments",
            field=models.ManyToManyField(
                blank=True,
                help_text="The standards the event is about (none for the whole audit): a "
                "contributor sees the events of their own standards only.",
                related_name="+",
                to="audits.standardassessment",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
