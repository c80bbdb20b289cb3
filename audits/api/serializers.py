from rest_framework import serializers

from audits.models import Audit
from standards.choices import InterventionLevel, Setting


class AuditSerializer(serializers.ModelSerializer):
    institution: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(
        read_only=True
    )
    institution_name = serializers.CharField(source="institution.name", read_only=True)
    component = serializers.CharField(source="catalogue_version.component", read_only=True)
    setting = serializers.ChoiceField(choices=Setting.choices, read_only=True)
    # Empty for a component without levels (RESCUE-Training): the schema must say so.
    target_level = serializers.ChoiceField(
        choices=InterventionLevel.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = Audit
        fields = [
            "id",
            "institution",
            "institution_name",
            "component",
            "catalogue_version",
            "setting",
            "target_level",
            "status",
            "created_at",
            "submitted_at",
            "manifest_digest",
        ]
        read_only_fields = fields
