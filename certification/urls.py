"""The ERNST admin's and the coordinators' certification pages (the public ones are in
``certification.urls_public``)."""

from django.urls import path

from certification import views, views_appeals, views_renewal

app_name = "certification"

urlpatterns = [
    path("audits/<int:audit_id>/decision/", views.decision_view, name="decision"),
    path("audits/<int:audit_id>/decision/take/", views.decision_take_view, name="decision_take"),
    path("audits/<int:audit_id>/appeal/", views_appeals.appeal_view, name="appeal"),
    path(
        "audits/<int:audit_id>/appeal/lodge/",
        views_appeals.appeal_lodge_view,
        name="appeal_lodge",
    ),
    path("appeals/", views_appeals.appeal_list, name="appeals"),
    path("appeals/<int:appeal_id>/", views_appeals.appeal_detail_view, name="appeal_detail"),
    path("appeals/<int:appeal_id>/take/", views_appeals.appeal_take_view, name="appeal_take"),
    path("appeals/<int:appeal_id>/decide/", views_appeals.appeal_decide_view, name="appeal_decide"),
    path(
        "appeals/<int:appeal_id>/files/<int:file_id>/",
        views_appeals.appeal_file_download,
        name="appeal_file",
    ),
    path("certificates/", views.certificate_list, name="certificates"),
    path("certificates/<int:certificate_id>/", views.certificate_view, name="certificate"),
    path(
        "certificates/<int:certificate_id>/listing/",
        views.certificate_listing_view,
        name="certificate_listing",
    ),
    path(
        "certificates/<int:certificate_id>/status/",
        views.certificate_change_view,
        name="certificate_change",
    ),
    path(
        "certificates/<int:certificate_id>/renew/",
        views_renewal.certificate_renew_view,
        name="certificate_renew",
    ),
]
