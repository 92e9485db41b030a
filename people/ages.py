"""Age bands: what is kept of a person's age once erased, and what the statistics count."""


def age_band(birth_year, year):
    age = year - birth_year
    for upper, label in ((25, "16-24"), (45, "25-44"), (60, "45-59"), (75, "60-74")):
        if age < upper:
            return label
    return "75+"
