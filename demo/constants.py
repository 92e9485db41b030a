"""What both halves of the demo share: the social structures and the social workers who send
the referrals (the directory loads them, the referrals are drawn from them)."""

import unicodedata

# --- Social structures and social workers --------------------------------------------------

# (name, typology of the national standard, INSEE code of the commune, phone)
SOCIAL_STRUCTURES = [
    ("Maison des solidarités départementales de Cahors", "MDS", "46042", "05 65 53 40 00"),
    ("Maison des solidarités départementales de Figeac", "MDS", "46102", "05 65 34 41 00"),
    ("Maison des solidarités départementales de Gourdon", "MDS", "46127", "05 65 41 42 00"),
    ("Maison des solidarités départementales de Gramat", "MDS", "46128", "05 65 38 43 00"),
    ("Maison des solidarités départementales de Saint-Céré", "MDS", "46251", "05 65 38 44 00"),
    ("Maison des solidarités départementales de Souillac", "MDS", "46309", "05 65 37 45 00"),
    ("CCAS de Cahors", "CCAS", "46042", "05 65 20 46 00"),
    ("CAF du Lot", "CAF", "46042", "05 65 20 47 00"),
    ("MSA Midi-Pyrénées Nord", "MSA", "46042", "05 65 20 48 00"),
    ("France Services de Lacapelle-Marival", "RFS", "46143", "05 65 40 49 00"),
    ("Conseil départemental du Lot", "DEPT", "46042", "05 65 53 50 00"),
    ("Lot Numérique", "Autre", "46042", "05 65 20 51 00"),
]
MDS_CAHORS = SOCIAL_STRUCTURES[0][0]
CCAS_CAHORS = "CCAS de Cahors"
DEPARTMENT_WIDE = {"CAF du Lot", "MSA Midi-Pyrénées Nord"}  # receive persons from everywhere
DEPARTMENT_COUNCIL = "Conseil départemental du Lot"
LOT_NUMERIQUE = "Lot Numérique"


# (username, first name, last name, structure name, weight in choosing who registers a person)
SOCIAL_WORKERS = [
    ("travailleur.social", "Nathalie", "Garrigues", MDS_CAHORS, 2.0),
    ("ts.cahors", "Isabelle", "Mouly", MDS_CAHORS, 1.0),
    ("ts.figeac", "Frédéric", "Salgues", SOCIAL_STRUCTURES[1][0], 1.2),
    ("ts.gourdon", "Valérie", "Lestrade", SOCIAL_STRUCTURES[2][0], 1.0),
    ("ts.gramat", "Christophe", "Austruy", SOCIAL_STRUCTURES[3][0], 1.0),
    ("ts.saint-cere", "Sylvie", "Cantagrel", SOCIAL_STRUCTURES[4][0], 1.0),
    ("ts.souillac", "Delphine", "Teulière", SOCIAL_STRUCTURES[5][0], 1.0),
    ("ts.cahors.ccas", "Karine", "Bru", CCAS_CAHORS, 1.0),
    ("ts.cahors.caf", "Patrick", "Séguy", "CAF du Lot", 0.25),
    ("ts.cahors.msa", "Anne", "Lacombe", "MSA Midi-Pyrénées Nord", 0.2),
    ("ts.lacapelle-marival", "Hélène", "Vialard", "France Services de Lacapelle-Marival", 1.0),
]


def ascii_slug(text):
    """`text` in lower-case ASCII, with a dash for anything not a letter or a digit."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(char if char.isalnum() else "-" for char in text.lower()).strip("-")
