import factory

from directory.enums import Service, StructureKind
from directory.models import Advisor, Place, Structure
from tests.territory.factories import commune


class StructureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Structure

    name = factory.Sequence(lambda n: f"Structure {n}")
    kind = StructureKind.SOCIAL
    typology = "CCAS"
    commune = factory.LazyFunction(lambda: commune("46042"))  # Cahors

    class Params:
        mediation = factory.Trait(kind=StructureKind.MEDIATION, typology="BIB")


class PlaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Place

    structure = factory.SubFactory(StructureFactory, mediation=True)
    name = factory.Sequence(lambda n: f"Médiathèque {n}")
    address = "1 place de la Mairie"
    commune = factory.LazyFunction(lambda: commune("46042"))
    latitude = factory.LazyAttribute(lambda place: place.commune.latitude)
    longitude = factory.LazyAttribute(lambda place: place.commune.longitude)


class AdvisorFactory(factory.django.DjangoModelFactory):
    """An advisor with one place in `place_commune` (Cahors by default)."""

    class Meta:
        model = Advisor
        skip_postgeneration_save = True

    user = factory.SubFactory("tests.accounts.factories.UserFactory", advisor=True)
    structure = factory.SelfAttribute("user.structure")
    themes = factory.LazyFunction(
        lambda: [Service.ADMIN_PROCEDURES.value, Service.EVERYDAY_TOOLS.value]
    )

    @factory.post_generation
    def place_commune(self, create, extracted, **kwargs):
        if create:
            place_commune = commune(extracted or "46042")
            self.places.add(PlaceFactory(structure=self.structure, commune=place_commune))
