from django.urls import path

from certification import api_admin, api_appeals, api_renewal

urlpatterns = [
    path(
        "audits/<int:audit_id>/decision/",
        api_admin.DecisionView.as_view(),
        name="audit-decision",
    ),
    path(
        "audits/<int:audit_id>/appeal/",
        api_appeals.AuditAppealView.as_view(),
        name="audit-appeal",
    ),
    path("appeals/", api_appeals.AppealListView.as_view(), name="appeal-list"),
    path("appeals/<int:appeal_id>/", api_appeals.AppealDetailView.as_view(), name="appeal-detail"),
    path("appeals/<int:appeal_id>/take/", api_appeals.AppealTakeView.as_view(), name="appeal-take"),
    path(
        "appeals/<int:appeal_id>/decision/",
        api_appeals.AppealDecisionView.as_view(),
        name="appeal-decision",
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
    path(
        "certificates/<int:certificate_id>/listing/",
        api_admin.CertificateListingView.as_view(),
        name="certificate-listing",
    ),
    path(
        "certificates/<int:certificate_id>/renewal/",
        api_renewal.RenewalView.as_view(),
        name="certificate-renewal",
    ),
]
