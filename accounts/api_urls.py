from django.urls import path

from .api import RevokeAuthToken, ThrottledObtainAuthToken

urlpatterns = [
    path("auth/token/", ThrottledObtainAuthToken.as_view(), name="api-token"),
    path("auth/token/revoke/", RevokeAuthToken.as_view(), name="api-token-revoke"),
]
