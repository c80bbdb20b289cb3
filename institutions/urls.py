from django.urls import path

from audits import views_dossier
from institutions import views

app_name = "institutions"

urlpatterns = [
    path("", views.institution_list, name="list"),
    path("new/", views.institution_create, name="create"),
    path("<int:institution_id>/", views.institution_detail, name="detail"),
    path("<int:institution_id>/edit/", views.institution_edit, name="edit"),
    path("<int:institution_id>/sites/", views.site_add, name="site_add"),
    path("<int:institution_id>/sites/<int:site_id>/remove/", views.site_remove, name="site_remove"),
    path("<int:institution_id>/members/", views.member_list, name="members"),
    path("<int:institution_id>/audits/new/", views_dossier.audit_start, name="audit_start"),
    path(
        "<int:institution_id>/prior-certification/",
        views_dossier.prior_certification,
        name="prior_certification",
    ),
    path("<int:institution_id>/members/invite/", views.invitation_create, name="invite"),
    path(
        "<int:institution_id>/members/<int:membership_id>/remove/",
        views.member_remove,
        name="member_remove",
    ),
    path(
        "<int:institution_id>/invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
]
