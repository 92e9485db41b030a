"""The words of the statistics: types of structure, age bands, support modes, delay
phases, months, filters."""

from django.utils.translation import gettext_lazy

TYPOLOGY_LABELS = {
    "MDS": "Maison des solidarités départementales",
    "CCAS": "Centre communal d'action sociale",
    "CIAS": "Centre intercommunal d'action sociale",
    "CAF": "Caisse d'allocations familiales",
    "MSA": "Mutualité sociale agricole",
    "CPAM": "Caisse primaire d'assurance maladie",
    "RFS": "France Services",
    "DEPT": "Département",
    "ASSO": "Association",
    "ML": "Mission locale",
    "BIB": "Bibliothèque, médiathèque",
    "ACI": "Atelier et chantier d'insertion",
    "ASE": "Aide sociale à l'enfance",
    "CAP_EMPLOI": "Cap emploi",
    "CD": "Conseil départemental",
    "CDAS": "Centre départemental d'action sociale",
    "CHRS": "Centre d'hébergement et de réinsertion sociale",
    "CIDFF": "Centre d'information sur les droits des femmes et des familles",
    "CMS": "Centre médico-social",
    "CS": "Centre social",
    "CSC": "Centre socioculturel",
    "EPCI": "Intercommunalité",
    "EPN": "Espace public numérique",
    "FT": "France Travail",
    "LA_POSTE": "La Poste",
    "MDE": "Maison de l'emploi",
    "MDPH": "Maison départementale des personnes handicapées",
    "MJC": "Maison des jeunes et de la culture",
    "MQ": "Maison de quartier",
    "MSAP": "Maison de services au public",
    "MUNI": "Mairie",
    "PIJ_BIJ": "Point information jeunesse",
    "PIMMS": "Point information médiation multi-services",
    "PJJ": "Protection judiciaire de la jeunesse",
    "PREF": "Préfecture, sous-préfecture",
    "SPIP": "Service pénitentiaire d'insertion et de probation",
    "TIERS_LIEUX": "Tiers-lieu",
    "UDAF": "Union départementale des associations familiales",
    "Autre": "Autre",
    "": "Non renseigné",
}


AGE_LABELS = {
    "16-24": "16 à 24 ans",
    "25-44": "25 à 44 ans",
    "45-59": "45 à 59 ans",
    "60-74": "60 à 74 ans",
    "75+": "75 ans et plus",
    "": "Non renseigné",
}


SUPPORT_MODE_LABELS = {
    "faire_pour": "Faire pour la personne",
    "faire_avec": "Faire avec la personne",
    "apprendre": "Apprendre à faire",
    "": "Non renseigné",
}


DELAY_PHASES = {
    "answer": "De l'envoi à la réponse du conseiller",
    "meeting": "De l'envoi au premier rendez-vous",
    "closure": "De l'envoi à la clôture",
}


SPLIT_LABELS = {
    "epci": gettext_lazy("par EPCI"),
    "type": gettext_lazy("par type de structure"),
    "need": gettext_lazy("par besoin"),
}


def typology_label(code):
    return TYPOLOGY_LABELS.get(code, code)


def month_label(month):
    from django.utils.dateformat import format as date_format

    return date_format(month, "F Y").capitalize()
