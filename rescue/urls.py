from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from institutions import views as institution_views
from rescue import views

admin.site.site_header = "RESCUE Audit administration"
admin.site.site_title = "RESCUE Audit"

api_v1 = [
    path("", include("standards.api.urls")),
    path("", include("institutions.api.urls")),
    path("", include("audits.api.urls")),
    path("", include("reports.api.urls")),
    path("", include("reviews.api.urls")),
    path("", include("certification.api")),
    path("", include("certification.api_urls")),
    path("", include("competences.api")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("catalogue/", include("standards.urls")),
    path("institutions/", include("institutions.urls")),
    path("invitations/<str:token>/", institution_views.invitation_accept, name="invitation_accept"),
    path("", include("reviews.urls")),
    path("audits/", include("audits.urls")),
    path("audits/", include("reports.urls")),
    path("auditors/", include("auditors.urls")),
    path("", include("certification.urls_public")),
    path("", include("certification.urls")),
    path("", include("competences.urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]

handler400 = "rescue.views.bad_request"
handler403 = "rescue.views.permission_denied"
handler404 = "rescue.views.page_not_found"
handler500 = "rescue.views.server_error"
