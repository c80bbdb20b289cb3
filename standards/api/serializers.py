from rest_framework import serializers

from standards.models import CatalogueVersion, Section, Standard, StandardGuidance


class CatalogueVersionSerializer(serializers.ModelSerializer):
    standard_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = CatalogueVersion
        fields = [
            "id",
            "component",
            "version",
            "name",
            "publication_date",
            "status",
            "is_working_catalogue",
            "provenance",
            "content_hash",
            "elementary_met_share",
            "advanced_met_share",
            "core_met_share",
            "non_core_met_share",
            "lookback_years",
            "validity_years",
            "standard_count",
        ]


class SectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Section
        fields = ["code", "title"]


class StandardGuidanceSerializer(serializers.ModelSerializer):
    class Meta:
        model = StandardGuidance
        fields = ["setting", "text"]


class StandardSerializer(serializers.ModelSerializer):
    component = serializers.CharField(source="catalogue_version.component", read_only=True)
    catalogue_version: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(
        read_only=True
    )
    version = serializers.CharField(source="catalogue_version.version", read_only=True)
    section = SectionSerializer(read_only=True)
    intervention_levels = serializers.ListField(child=serializers.CharField(), read_only=True)
    settings = serializers.ListField(child=serializers.CharField(), read_only=True)
    ernst_levels = serializers.ListField(child=serializers.IntegerField(), read_only=True)
    guidance = StandardGuidanceSerializer(many=True, read_only=True)

    class Meta:
        model = Standard
        fields = [
            "id",
            "code",
            "title",
            "component",
            "catalogue_version",
            "version",
            "section",
            "level",
            "is_core",
            "intervention_levels",
            "settings",
            "ernst_levels",
            "operational_definition",
            "evidence_required",
            "guidance",
        ]
