import factory

from accounts.models import Role, User
from tests.directory.factories import StructureFactory

PASSWORD = "mot-de-passe-de-test"


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
