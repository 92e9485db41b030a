from rest_framework.routers import SimpleRouter

from .api import CommuneViewSet

router = SimpleRouter()
router.register("communes", CommuneViewSet, basename="commune")
urlpatterns = router.urls
