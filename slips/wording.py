"""The slip's words: needs said plainly, what to bring for each need, the assessment's constraints.

Written for someone who reads with difficulty: short sentences, everyday words.
"""

from django.utils.translation import gettext_lazy as _

from assessments.profile import SupportMode
from directory.enums import Service

PLAIN_NEEDS = {
    Service.ADMIN_PROCEDURES: _("faire vos démarches sur internet (CAF, impôts, santé, retraite…)"),
    Service.EVERYDAY_TOOLS: _("utiliser votre téléphone, votre ordinateur, vos courriels"),
    Service.EMPLOYMENT: _("chercher un emploi ou une formation sur internet"),
    Service.SAFETY: _("vous protéger des arnaques et garder vos comptes en sécurité"),
    Service.PARENTING: _("suivre la scolarité de vos enfants sur internet"),
    Service.EQUIPMENT_PURCHASE: _("avoir un ordinateur ou un téléphone à petit prix"),
    Service.ACCESS: _("avoir internet ou un appareil chez vous"),
    Service.LEISURE: _("découvrir des loisirs avec le numérique"),
    Service.UNDERSTANDING: _("mieux comprendre le numérique"),
}


class Bring:
    """Things to bring, in the order the slip lists them."""

    SLIP = _("Cette fiche")
    ID = _("Une pièce d'identité (carte d'identité, passeport ou titre de séjour)")
    PHONE = _("Votre téléphone portable et son chargeur")
    LOGINS = _("Vos identifiants et mots de passe (adresse mail, comptes en ligne)")
    LETTERS = _("Les courriers reçus pour votre démarche")
    VITALE = _("Votre carte Vitale")
    BANK = _("Votre RIB (relevé d'identité bancaire)")
    INCOME = _("Un justificatif de ressources (attestation CAF ou avis d'impôt)")
    CV = _("Votre CV si vous en avez un (papier ou clé USB)")
    MESSAGES = _("Les messages ou courriers qui vous semblent suspects")
    SCHOOL = _("Les codes de l'espace numérique de l'école de vos enfants")
    CONTRACT = _("Votre contrat ou votre facture internet, si vous en avez un")

    ORDER = (SLIP, ID, PHONE, LOGINS, LETTERS, VITALE, BANK, INCOME, CV, MESSAGES, SCHOOL, CONTRACT)


BRING_FOR_NEED = {
    Service.ADMIN_PROCEDURES: (Bring.PHONE, Bring.LOGINS, Bring.LETTERS, Bring.VITALE, Bring.BANK),
    Service.EVERYDAY_TOOLS: (Bring.PHONE, Bring.LOGINS),
    Service.EMPLOYMENT: (Bring.PHONE, Bring.LOGINS, Bring.CV),
    Service.SAFETY: (Bring.PHONE, Bring.LOGINS, Bring.MESSAGES),
    Service.PARENTING: (Bring.PHONE, Bring.LOGINS, Bring.SCHOOL),
    Service.EQUIPMENT_PURCHASE: (Bring.INCOME, Bring.BANK),
    Service.ACCESS: (Bring.PHONE, Bring.INCOME, Bring.CONTRACT),
    Service.LEISURE: (Bring.PHONE,),
    Service.UNDERSTANDING: (Bring.PHONE,),
}


def things_to_bring(needs):
    """What to bring for these need categories: always the slip and an ID, then per need."""
    wanted = {Bring.SLIP, Bring.ID}
    for need in needs:
        wanted.update(BRING_FOR_NEED.get(need, (Bring.PHONE,)))
    return [str(thing) for thing in Bring.ORDER if thing in wanted]


def plain_need(need):
    return PLAIN_NEEDS.get(need, "")


# How the advisor will help, said to the person (the slip's first page speaks to the person).
SUPPORT_FOR_PERSON = {
    SupportMode.DO_FOR: _(
        "Si vous le souhaitez, votre conseiller pourra faire les démarches à votre place, "
        "avec votre accord."
    ),
    SupportMode.DO_WITH: _("Votre conseiller fera avec vous, à votre rythme."),
    SupportMode.TEACH: _("Votre conseiller vous apprendra à faire vous-même, pas à pas."),
}


def enumeration(words):
    """« a », « a et b », « a, b et c »."""
    words = [str(word) for word in words]
    if len(words) < 2:
        return "".join(words)
    return ", ".join(words[:-1]) + " et " + words[-1]
