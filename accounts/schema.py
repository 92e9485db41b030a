"""The API's authentication as the OpenAPI schema describes it (drf-spectacular extensions)."""

from drf_spectacular.authentication import SessionScheme


class PasipSessionScheme(SessionScheme):
    """The project's session authentication (its CSRF refusal in French) is Django's session
    cookie, as drf-spectacular describes DRF's."""

    target_class = "accounts.authentication.SessionAuthentication"
