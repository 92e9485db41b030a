"""Helpers for what a request asks of the response."""

from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def next_url(request, fallback):
    """Where to go after an action: the request's `next` (form field, else query string) when it
    is an address of this site, else `fallback` (a URL name or path). A `next` naming another
    host or scheme (`https://other.example/`, `//other.example/`, `javascript:…`) is ignored, so
    a link sent to a user can never make one of our pages send them elsewhere."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(fallback)
