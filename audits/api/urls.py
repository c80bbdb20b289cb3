from rest_framework.routers import SimpleRouter

from audits.api.views import AuditViewSet

router = SimpleRouter()
router.register("audits", AuditViewSet, basename="audit")

urlpatterns = router.urls
