from django.urls import path
from rest_framework.routers import SimpleRouter

from .api import AssessmentViewSet, QuestionnaireView

router = SimpleRouter()
router.register("assessments", AssessmentViewSet, basename="assessment")
urlpatterns = [
    path("questionnaire/", QuestionnaireView.as_view(), name="questionnaire-current"),
    *router.urls,
]
