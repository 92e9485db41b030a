import factory

from assessments.models import Assessment
from tests.people.factories import PersonFactory


class AssessmentFactory(factory.django.DjangoModelFactory):
    """A person's assessment; `profile` is what matching and the slip read."""

    class Meta:
        model = Assessment

    person = factory.SubFactory(PersonFactory)
    created_by = factory.SelfAttribute("person.created_by")
