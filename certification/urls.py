"""The ERNST admin's and the coordinators' certification pages (the public ones are in
``certification.urls_public``)."""

from django.urls import path

from certification import views

app_name = "certification"

urlpatterns = [
    path("audits/<int:audit_id>/decision/", views.decision_view, name="decision"),
    path("audits/<int:audit_id>/decision/take/", views.decision_take_view, name="decision_take"),
    path("certificates/", views.certificate_list, name="certificates"),
    path("certificates/<int:certificate_id>/", views.certificate_view, name="certificate"),
    path(
        "certificates/<int:certificate_id>/status/",
        views.certificate_change_view,
        name="certificate_change",
    ),
]
