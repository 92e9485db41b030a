"""The filters of the coordinator's board: none of them is a person's data, so they travel in
the URL (and the pages' links keep them). The page and the API read the board through
`board_filtered`: the same order, the same filters."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from directory.models import Structure

from .models import DeclineReason, Referral, ReferralState
from .selectors import board_referrals, sent_before_working_days

AGES = [
    (2, _("plus de 2 jours ouvrés")),
    (5, _("plus de 5 jours ouvrés")),
    (10, _("plus de 10 jours ouvrés")),
    (20, _("plus de 20 jours ouvrés")),
]


class BoardFilterForm(forms.Form):
    vue = forms.ChoiceField(
        label=_("Afficher"),
        required=False,
        choices=[
            ("", _("Les orientations qui demandent une action")),
            ("toutes", _("Toutes les orientations du département")),
        ],
    )
    etat = forms.ChoiceField(
        label=_("État"), required=False, choices=[("", _("Tous")), *ReferralState.choices]
    )
    motif = forms.ChoiceField(
        label=_("Motif du refus"),
        required=False,
        choices=[("", _("Tous")), *DeclineReason.choices],
    )
    structure = forms.ModelChoiceField(
        label=_("Structure (conseiller ou orienteur)"),
        queryset=Structure.objects.none(),
        required=False,
        empty_label=_("Toutes"),
        error_messages={"invalid_choice": _("Cette structure n'est pas sur le tableau.")},
    )
    age = forms.TypedChoiceField(
        label=_("Envoyée depuis"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("N'importe quand")), *AGES],
    )

    def __init__(self, *args, referrals, **kwargs):
        super().__init__(*args, **kwargs)
        referrals = referrals.order_by()
        self.fields["structure"].queryset = Structure.objects.filter(
            Q(pk__in=referrals.values("advisor__structure"))
            | Q(pk__in=referrals.values("referring_structure"))
        ).order_by("name")

    @property
    def everything(self):
        return self.is_valid() and self.cleaned_data["vue"] == "toutes"

    def filter(self, referrals):
        data = self.cleaned_data
        if data["etat"]:
            referrals = referrals.filter(state=data["etat"])
        if data["motif"]:
            referrals = referrals.filter(decline_reason=data["motif"])
        if data["structure"]:
            referrals = referrals.filter(
                Q(advisor__structure=data["structure"]) | Q(referring_structure=data["structure"])
            )
        if data["age"]:
            referrals = referrals.filter(sent_at__lt=sent_before_working_days(data["age"]))
        return referrals


def board_filtered(user, params):
    """The coordinator's board as asked for by `params` (a query string): the filters' form and
    the referrals, what needs action first. Filters that are not valid give no referral, and
    the form says why."""
    form = BoardFilterForm(params or None, referrals=Referral.objects.on_board_of(user))
    referrals = board_referrals(user, everything=form.everything)
    if form.is_bound:
        referrals = form.filter(referrals) if form.is_valid() else referrals.none()
    return form, referrals
