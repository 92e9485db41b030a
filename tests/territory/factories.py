from territory.models import Commune, Department, Epci


def commune(insee):
    return Commune.objects.get(insee=insee)


def department_commune(code, name, insee, *, epci=None, **settings):
    """A département other than the Lot with one EPCI and one commune (made once; `settings`
    are the département's own, when it is made): (département, commune)."""
    department, _ = Department.objects.get_or_create(code=code, defaults={"name": name, **settings})
    epci_code, epci_name = epci or (f"2{code:0>3}00001", f"CC {name}")
    group, _ = Epci.objects.get_or_create(
        code=epci_code, defaults={"name": epci_name, "department": department}
    )
    place, _ = Commune.objects.get_or_create(
        insee=insee,
        defaults={
            "name": f"Chef-lieu {name}",
            "population": 20_000,
            "epci": group,
            "department": department,
            "latitude": 44.35,
            "longitude": 2.57,
            "postal_codes": f"{insee[:2]}000",
        },
    )
    return department, place


def rodez(**settings):
    """Rodez, in the Aveyron (12), in Rodez Agglomération: the second département of tests."""
    return department_commune(
        "12", "Aveyron", "12202", epci=("241200187", "Rodez Agglomération"), liaison=5, **settings
    )[1]
