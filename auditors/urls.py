from django.urls import path

from auditors import views

app_name = "auditors"

urlpatterns = [
    path("", views.auditor_pool_list, name="pool"),
    path("me/", views.auditor_profile, name="profile"),
    path("me/conflicts/", views.conflict_declare, name="conflict_declare"),
]
