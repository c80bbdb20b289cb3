from django.urls import path

from reports.api import views

urlpatterns = [
    path("audits/<int:audit_id>/reports/", views.ReportListView.as_view(), name="audit-reports"),
    path(
        "audits/<int:audit_id>/reports/<int:report_id>/",
        views.ReportDetailView.as_view(),
        name="audit-report-detail",
    ),
]
