from django.urls import path

from competences import views

app_name = "competences"

urlpatterns = [
    path(
        "institutions/<int:institution_id>/applications/",
        views.application_list,
        name="list",
    ),
    path(
        "institutions/<int:institution_id>/applications/new/",
        views.application_start,
        name="start",
    ),
    path("applications/<int:audit_id>/", views.application_status_view, name="status"),
    path(
        "applications/<int:audit_id>/endorse/",
        views.application_endorse_view,
        name="endorse",
    ),
]
