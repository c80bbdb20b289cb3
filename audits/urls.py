from django.urls import path

from audits import views, views_dossier
from evidence import views as evidence_views
from evidence import views_carried

app_name = "audits"

evidence_urls = [
    path("<int:audit_id>/evidence/", evidence_views.evidence_upload, name="evidence_upload"),
    path(
        "<int:audit_id>/evidence/<int:evidence_id>/",
        evidence_views.evidence_file_view,
        name="evidence_file",
    ),
    path(
        "<int:audit_id>/evidence/<int:evidence_id>/download/",
        evidence_views.evidence_download,
        name="evidence_download",
    ),
    path(
        "<int:audit_id>/evidence/<int:evidence_id>/preview/",
        evidence_views.evidence_preview,
        name="evidence_preview",
    ),
    path(
        "<int:audit_id>/evidence/<int:evidence_id>/replace/",
        evidence_views.evidence_replace,
        name="evidence_replace",
    ),
    path(
        "<int:audit_id>/evidence/<int:evidence_id>/links/",
        evidence_views.evidence_links,
        name="evidence_links",
    ),
    path(
        "<int:audit_id>/evidence/<int:evidence_id>/date/",
        evidence_views.evidence_date,
        name="evidence_date",
    ),
    path(
        "<int:audit_id>/evidence/<int:evidence_id>/delete/",
        evidence_views.evidence_delete,
        name="evidence_delete",
    ),
    path(
        "<int:audit_id>/evidence/<int:evidence_id>/review/",
        evidence_views.evidence_review,
        name="evidence_review",
    ),
    path(
        "<int:audit_id>/evidence/carried/",
        views_carried.carried_view,
        name="evidence_carried",
    ),
]

urlpatterns = [
    path("", views.audit_list, name="list"),
    path("<int:audit_id>/", views_dossier.audit_dashboard, name="detail"),
    path("<int:audit_id>/submit/", views_dossier.audit_submit_view, name="submit"),
    path("<int:audit_id>/history/", views_dossier.audit_history, name="history"),
    path("<int:audit_id>/standards/<str:code>/", views_dossier.standard_detail, name="standard"),
    path(
        "<int:audit_id>/standards/<str:code>/reuse/",
        evidence_views.standard_reuse_view,
        name="standard_reuse",
    ),
    path(
        "<int:audit_id>/standards/<str:code>/rating/",
        views_dossier.standard_rate,
        name="standard_rate",
    ),
    path(
        "<int:audit_id>/standards/<str:code>/assignees/",
        views_dossier.standard_assignees,
        name="standard_assignees",
    ),
    path(
        "<int:audit_id>/standards/<str:code>/link/",
        views_dossier.standard_link,
        name="standard_link",
    ),
    *evidence_urls,
]
