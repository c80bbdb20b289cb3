from django.urls import reverse
from rest_framework import serializers

from reports.models import Report


class ReportSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = [
            "id",
            "kind",
            "language",
            "version",
            "status",
            "requested_by_email",
            "requested_at",
            "started_at",
            "finished_at",
            "sha256",
            "size",
            "page_count",
            "error",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, report: Report) -> str | None:
        if report.status != Report.Status.READY:
            return None
        return reverse("reports:download", args=[report.audit_id, report.pk])


class ReportRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Report.Kind.choices, default=Report.Kind.DOSSIER)


class RequestedReportSerializer(ReportSerializer):
    """The answer to a request for a report: a new version queued, or the last ready one."""

    reused = serializers.SerializerMethodField(
        help_text=(
            "True when nothing the report shows has changed since this ready version: it is "
            "given back and no new version is made."
        )
    )

    class Meta(ReportSerializer.Meta):
        fields = [*ReportSerializer.Meta.fields, "reused"]
        read_only_fields = fields

    def get_reused(self, report: Report) -> bool:
        return bool(self.context.get("reused", False))
