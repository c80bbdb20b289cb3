from django.urls import path
from rest_framework.routers import SimpleRouter

from audits.api import carried, dossier
from audits.api.views import AuditViewSet

router = SimpleRouter()
router.register("audits", AuditViewSet, basename="audit")

urlpatterns = [
    *router.urls,
    path(
        "institutions/<int:institution_id>/audits/",
        dossier.AuditCreateView.as_view(),
        name="institution-audit-create",
    ),
    path(
        "audits/<int:audit_id>/standards/",
        dossier.StandardStatusListView.as_view(),
        name="audit-standards",
    ),
    path(
        "audits/<int:audit_id>/standards/<str:code>/",
        dossier.SelfRatingView.as_view(),
        name="audit-standard-rate",
    ),
    path(
        "audits/<int:audit_id>/evidence/",
        dossier.EvidenceListView.as_view(),
        name="audit-evidence",
    ),
    path(
        "audits/<int:audit_id>/evidence/carried/",
        carried.CarriedView.as_view(),
        name="audit-evidence-carried",
    ),
    path("audits/<int:audit_id>/submit/", dossier.SubmitView.as_view(), name="audit-submit"),
]
