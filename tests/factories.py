"""Factories for test data: desks, countries, users with roles, assessments."""

import datetime as dt

import factory
from django.contrib.auth.models import Group, User

from indicators.models import Assessment, Country, Desk, Indicator


class DeskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Desk
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Desk {n}")
    slug = factory.Sequence(lambda n: f"desk-{n}")


GENERATED_SECOND_LETTERS = "DEFGHIJKLMNOPRSUV"


class CountryFactory(factory.django.DjangoModelFactory):
    """A test country; codes start with Q so they never collide with the real reference list."""

    class Meta:
        model = Country
        django_get_or_create = ("iso3",)

    # The second letter skips A, B, C, Q, T, W and Z: tests name QAA, QBB, QCC, QQQ, QWW and QZZ themselves,
    # and QAT is Qatar, so a generated code never silently returns one of those through get_or_create.
    iso3 = factory.Sequence(lambda n: f"Q{GENERATED_SECOND_LETTERS[n // 26 % 17]}{n % 26 + 65:c}")
    name = factory.Sequence(lambda n: f"Testland {n}")
    region = "Africa"
    subregion = "Eastern Africa"
    desk = factory.SubFactory(DeskFactory)
    un_status = "member"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    first_name = factory.LazyAttribute(lambda user: user.username.capitalize())
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery staple")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            self.groups.add(Group.objects.get(name=extracted))
            if extracted == "administrator":
                self.is_staff = True
        self.save()

    @factory.post_generation
    def desks(self, create, extracted, **kwargs):
        for desk in extracted or ():
            desk.analysts.add(self)


def indicator(code: str) -> Indicator:
    return Indicator.objects.select_related("risk_factor", "framework").get(code=code, framework__is_active=True)


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assessment

    country = factory.SubFactory(CountryFactory)
    indicator = factory.LazyFunction(lambda: indicator("1.1"))
    observed_on = dt.date(2026, 1, 15)
    severity = 2
    confidence = "high"
    source = "Desk reporting"
    evidence = "Field reports from partner organisations."
    author = factory.SubFactory(UserFactory, role="analyst")
