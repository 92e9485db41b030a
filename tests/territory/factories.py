from territory.models import Commune


def commune(insee):
    return Commune.objects.get(insee=insee)
