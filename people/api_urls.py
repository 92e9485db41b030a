from django.urls import path
from rest_framework.routers import SimpleRouter

from .api import AccessLogView, PersonViewSet

router = SimpleRouter()
router.register("persons", PersonViewSet, basename="person")
urlpatterns = [
    *router.urls,
    path("access-log/", AccessLogView.as_view(), name="access-log"),
]
