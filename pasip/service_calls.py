"""How a page calls a service: one way for every page.

    with service_call(request) as call:
        services.place_save(user=request.user, place=place)
    if call.ok:
        messages.success(request, _("Lieu enregistré."))
        return redirect("directory_places")

A refusal for the user's role or object (`NotAllowed`) is a 403, as in the API. Any other
refusal (`ApplicationError`: a rule, a conflict) is said to the user: next to the form when
one is given (what was typed stays on the page), otherwise as a message on the next page.
"""

from contextlib import contextmanager

from django.contrib import messages
from django.core.exceptions import PermissionDenied

from .errors import ApplicationError, Conflict, NotAllowed


class ServiceCall:
    """What became of a service call: `error` is the refusal, None when it went through."""

    def __init__(self):
        self.error = None
        self.on_form = False  # the refusal was put on the form

    @property
    def ok(self):
        return self.error is None


@contextmanager
def not_allowed_as_403():
    """A `NotAllowed` raised in the block is a 403 (`PermissionDenied`), as in the API; any
    other error goes on."""
    try:
        yield
    except NotAllowed as error:
        raise PermissionDenied(error.message) from error


@contextmanager
def service_call(request, *, form=None, conflict_as_message=False):
    """Runs the block; see the module. `form`: the refusal goes on it, except a `Conflict`
    when `conflict_as_message` (the object changed meanwhile: no form to show it in)."""
    call = ServiceCall()
    try:
        with not_allowed_as_403():
            yield call
    except ApplicationError as error:
        call.error = error
        if form is not None and not (conflict_as_message and isinstance(error, Conflict)):
            form.add_error(None, error.message)
            call.on_form = True
        else:
            messages.error(request, error.message)
