from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("<int:audit_id>/reports/", views.report_create, name="create"),
    path("<int:audit_id>/reports/<int:report_id>/", views.report_status, name="status"),
    path(
        "<int:audit_id>/reports/<int:report_id>/download/",
        views.report_download,
        name="download",
    ),
]
