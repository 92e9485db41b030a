"""One application error type, rendered the same way in the pages and the API."""

from rest_framework import exceptions
from rest_framework.views import exception_handler


class ApplicationError(Exception):
    """A business rule refused the action. `status` is the HTTP status the API answers with."""

    status = 400
    code = "invalid"

    def __init__(self, message, *, code=None, status=None):
        super().__init__(message)
        self.message = str(message)
        if code:
            self.code = code
        if status:
            self.status = status


class NotAllowed(ApplicationError):
    status = 403
    code = "permission_denied"


class Conflict(ApplicationError):
    """The object changed under the user's feet (another decision already taken)."""

    status = 409
    code = "conflict"


def api_exception_handler(exc, context):
    """JSON error bodies of one shape: {"detail": "...", "code": "..."}."""
    if isinstance(exc, ApplicationError):
        exc = _as_api_exception(exc)
    if isinstance(exc, exceptions.ParseError):  # DRF's parse errors are English and technical
        exc = exceptions.ParseError(
            "Le corps de la requête est illisible : envoyez du JSON en UTF-8.", code="parse_error"
        )
    response = exception_handler(exc, context)
    # A serializer field named "detail" (a refusal's detail) is a field error, not the message.
    invalid = isinstance(exc, exceptions.ValidationError)
    if (
        response is not None
        and not invalid
        and isinstance(response.data, dict)
        and "detail" in response.data
    ):
        detail = response.data["detail"]
        response.data = {"detail": str(detail), "code": getattr(detail, "code", "error")}
    elif response is not None:
        response.data = {
            "detail": "Les données envoyées ne sont pas valides.",
            "code": "invalid",
            "errors": response.data,
        }
    return response


def _as_api_exception(error):
    api_error = exceptions.APIException(error.message, code=error.code)
    api_error.status_code = error.status
    return api_error
