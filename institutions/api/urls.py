from django.urls import path
from rest_framework.routers import SimpleRouter

from institutions.api.views import InstitutionViewSet, MemberListView

router = SimpleRouter()
router.register("institutions", InstitutionViewSet, basename="institution")

urlpatterns = [
    *router.urls,
    path(
        "institutions/<int:institution_id>/members/",
        MemberListView.as_view(),
        name="institution-members",
    ),
]
