from django.urls import path

from certification import api_admin

urlpatterns = [
    path(
        "audits/<int:audit_id>/decision/",
        api_admin.DecisionView.as_view(),
        name="audit-decision",
    ),
    path("certificates/", api_admin.CertificateListView.as_view(), name="certificate-list"),
    path(
        "certificates/<int:certificate_id>/",
        api_admin.CertificateDetailView.as_view(),
        name="certificate-detail",
    ),
    path(
        "certificates/<int:certificate_id>/status/",
        api_admin.CertificateStatusView.as_view(),
        name="certificate-status",
    ),
]
