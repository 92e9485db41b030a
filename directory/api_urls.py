from rest_framework.routers import SimpleRouter

from .api import AdvisorViewSet

router = SimpleRouter()
router.register("advisors", AdvisorViewSet, basename="advisor")
urlpatterns = router.urls
