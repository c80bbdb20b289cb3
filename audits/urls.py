from django.urls import path

from audits import views

app_name = "audits"

urlpatterns = [
    path("", views.audit_list, name="list"),
    path("<int:audit_id>/", views.audit_detail, name="detail"),
    path("<int:audit_id>/assign/", views.auditor_assign, name="assign"),
    path(
        "<int:audit_id>/assignments/<int:assignment_id>/end/",
        views.assignment_end,
        name="assignment_end",
    ),
    path("<int:audit_id>/close/", views.audit_close, name="close"),
]
