import factory

from people.models import Consent, Person
from tests.accounts.factories import UserFactory
from tests.territory.factories import commune


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
