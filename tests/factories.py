import factory

from accounts.models import Role, User
from directory.enums import Service, StructureKind
from directory.models import Advisor, Permanence, Place, Structure
from people.models import Consent, Person
from referrals.models import Referral, ReferralState
from territory.models import Commune

PASSWORD = "mot-de-passe-de-test"


def commune(insee):
    return Commune.objects.get(insee=insee)


class StructureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Structure

    name = factory.Sequence(lambda n: f"Structure {n}")
    kind = StructureKind.SOCIAL
    typology = "CCAS"
    commune = factory.LazyFunction(lambda: commune("46042"))  # Cahors

    class Params:
        mediation = factory.Trait(kind=StructureKind.MEDIATION, typology="BIB")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"agent{n}")
    first_name = factory.Sequence(lambda n: f"Agent{n}")
    last_name = "Martin"
    email = factory.LazyAttribute(lambda user: f"{user.username}@agents.pasip.invalid")
    role = Role.SOCIAL_WORKER
    structure = factory.SubFactory(StructureFactory)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    class Params:
        advisor = factory.Trait(
            role=Role.ADVISOR, structure=factory.SubFactory(StructureFactory, mediation=True)
        )
        officer = factory.Trait(role=Role.OFFICER)
        coordinator = factory.Trait(role=Role.COORDINATOR)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save()


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

    user = factory.SubFactory(UserFactory, advisor=True)
    structure = factory.SelfAttribute("user.structure")
    themes = factory.LazyFunction(
        lambda: [Service.ADMIN_PROCEDURES.value, Service.EVERYDAY_TOOLS.value]
    )

    @factory.post_generation
    def place_commune(self, create, extracted, **kwargs):
        if create:
            place_commune = commune(extracted or "46042")
            self.places.add(PlaceFactory(structure=self.structure, commune=place_commune))


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person
        skip_postgeneration_save = True

    first_name = "Josette"
    last_name = factory.Sequence(lambda n: f"Delpech{n}")
    birth_year = 1951
    commune = factory.LazyFunction(lambda: commune("46128"))  # Gramat
    phone = "06 11 22 33 44"
    email = factory.LazyAttribute(lambda person: f"{person.last_name.lower()}@exemple.invalid")
    created_by = factory.SubFactory(UserFactory)
    structure = factory.SelfAttribute("created_by.structure")

    @factory.post_generation
    def consent(self, create, extracted, **kwargs):
        if create and extracted is not False:
            Consent.objects.create(
                person=self,
                share_identity=True,
                share_assessment=True,
                method=Consent.Method.ORAL,
                recorded_by=self.created_by,
            )


class ReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referral

    code = factory.Sequence(lambda n: f"LOT-T{n:03d}")
    person = factory.SubFactory(PersonFactory)
    referrer = factory.SelfAttribute("person.created_by")
    referring_structure = factory.SelfAttribute("person.structure")
    advisor = factory.SubFactory(AdvisorFactory)
    needs = factory.LazyFunction(lambda: [Service.ADMIN_PROCEDURES.value])
    state = ReferralState.SENT


def consented_referral(*, share_assessment=True, profile=None, weekdays=(1,), **kwargs):
    """A referral whose person signed a consent and, when `profile` is given, has an
    assessment; its advisor holds a morning permanence on each of `weekdays`: what a slip
    prints."""
    from datetime import time

    from assessments.models import Assessment

    person = PersonFactory(consent=False)
    Consent.objects.create(
        person=person,
        share_identity=True,
        share_assessment=share_assessment,
        method=Consent.Method.SIGNED,
        recorded_by=person.created_by,
    )
    if profile is not None:
        kwargs["assessment"] = Assessment.objects.create(
            person=person, created_by=person.created_by, profile=profile
        )
    referral = ReferralFactory(person=person, **kwargs)
    place = referral.advisor.places.get()
    for weekday in weekdays:
        Permanence.objects.create(
            advisor=referral.advisor, place=place, weekday=weekday, start=time(9), end=time(12)
        )
    return referral
