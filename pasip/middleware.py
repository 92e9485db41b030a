import time

from django.conf import settings
from django.contrib.auth import logout


class SessionLifetimeMiddleware:
    """Ends a session 12 hours after login, however active (the idle limit is the cookie's)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            started = request.session.setdefault("started_at", time.time())
            if time.time() - started > settings.SESSION_ABSOLUTE_LIFETIME:
                logout(request)
        return self.get_response(request)
