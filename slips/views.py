import base64
import hashlib
import re

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect

from accounts.models import Role
from pasip.errors import ApplicationError
from pasip.permissions import role_required
from pasip.service_calls import not_allowed_as_403
from people.models import Person
from people.services import person_access_log
from referrals.models import Referral

from .access_document import access_document_pdf
from .content import Variant
from .rendering import SlipTimeout, slip_html, slip_pdf
from .versions import person_erased_at, printed_rows


def slip_variant(query):
    """The variant asked for in the query string (`?variant=large`); normal by default."""
    variant = query.get("variant") or Variant.NORMAL
    if variant not in Variant.ALL:
        raise ApplicationError(
            "Variante de fiche inconnue : choisissez « normal » ou « large ».",
            code="invalid_variant",
        )
    return variant


def pdf_response(referral, variant, rows=None):
    version, pdf = slip_pdf(referral, variant=variant, rows=rows)
    suffix = "-gros-caracteres" if variant == Variant.LARGE else ""
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="fiche-{referral.code}{suffix}.pdf"'
    if version:  # none when the referral changed while its slip was being made
        response["ETag"] = f'"{version}"'
    response["Cache-Control"] = "private, no-cache"
    return response


def slip_referrals(user):
    """The referrals whose slip `user` may print (the referral page's own rule): their code and
    person only. The slip reads the rest itself, and only when its version is not cached."""
    return Referral.objects.visible_to(user).only("code", "person")


def referral_for_slip(request, pk):
    """(referral, what its slip prints) if the user may see it (else a 404); logged.

    What the slip prints (`printed_rows`, the slip's version) says whether the person's data
    was erased, for the access log: one query for both.
    """
    referral = get_object_or_404(slip_referrals(request.user), pk=pk)
    rows = printed_rows(referral.pk)
    if rows is None:  # deleted in between
        raise Http404
    person = Person(pk=referral.person_id, erased_at=person_erased_at(rows))
    person_access_log(user=request.user, persons=[person], where=request.get_full_path())
    return referral, rows


@role_required(Role.SOCIAL_WORKER, Role.ADVISOR)
def referral_slip(request, pk):
    referral, rows = referral_for_slip(request, pk)
    try:
        return pdf_response(referral, slip_variant(request.GET), rows)
    except SlipTimeout as error:
        messages.error(request, error.message)
        return redirect("referral_detail", pk=pk)
    except ApplicationError as error:
        return HttpResponseBadRequest(error.message)


@role_required(Role.SOCIAL_WORKER, Role.ADVISOR)
def referral_slip_preview(request, pk):
    """The same slip as HTML, to read on screen or print from the browser (`?imprimer=1`)."""
    referral, rows = referral_for_slip(request, pk)
    try:
        variant = slip_variant(request.GET)
    except ApplicationError as error:
        return HttpResponseBadRequest(error.message)
    print_now = request.GET.get("imprimer") == "1"
    html = slip_html(referral, variant=variant, preview=True, print_now=print_now, rows=rows)
    response = HttpResponse(html)
    # The slip's stylesheet is inline (one document for WeasyPrint and the browser): the page's
    # Content-Security-Policy allows exactly that stylesheet, by its hash, and no other.
    response._csp_update = {"style-src": [style_hash(html)]}
    return response


def style_hash(html):
    """The CSP source allowing the page's one inline <style> element, by its SHA-256."""
    match = re.search(r"<style>(.*?)</style>", html, flags=re.S)
    digest = hashlib.sha256(match.group(1).encode("utf-8")).digest() if match else b""
    return f"'sha256-{base64.b64encode(digest).decode()}'"


@role_required(Role.SOCIAL_WORKER)
def person_access_document(request, pk):
    """The right of access for the person: everything the JSON export holds, in words (PDF)."""
    person = get_object_or_404(
        Person.objects.visible_to(request.user).select_related("commune"), pk=pk
    )
    with not_allowed_as_403():
        pdf = access_document_pdf(user=request.user, person=person)
    person_access_log(user=request.user, persons=[person], where=request.get_full_path())
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="donnees-personne-{person.pk}.pdf"'
    return response
