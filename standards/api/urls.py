from rest_framework.routers import SimpleRouter

from standards.api.views import CatalogueVersionViewSet, StandardViewSet

router = SimpleRouter()
router.register("catalogue-versions", CatalogueVersionViewSet, basename="catalogue-version")
router.register("standards", StandardViewSet, basename="standard")

urlpatterns = router.urls
