"""Factories for test data: desks, countries, users with roles, assessments, a re-import that supersedes another."""

import datetime as dt
import itertools
from collections.abc import Iterable

import factory
from django.contrib.auth.models import Group, User
from django.utils import timezone

from indicators.importers.mappings import MAPPING_VERSION
from indicators.models import Assessment, Country, DatasetImport, Desk, Indicator


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


OLDER_MAPPING_VERSION = "2000.1"
# The older mapping rated 2021 at 3 and also recorded 2019 and 2022, cells the newer mapping leaves out; the newer
# mapping rates 2021 at 1. Read without the exclusion, a page shows two values for 2021 and 2022's 3 as the latest.
REMAP_OLDER_ROWS = ((dt.date(2019, 12, 31), 2), (dt.date(2021, 12, 31), 3), (dt.date(2022, 12, 31), 3))
REMAP_NEWER_ROWS = ((dt.date(2021, 12, 31), 1),)
_checksums = itertools.count(1)


def _import_with_rows(*, source, checksum, mapping_version, country, code, rows) -> DatasetImport:
    dataset_import = DatasetImport.objects.create(
        source=source,
        file_name=f"{source}.csv",
        checksum=checksum,
        mapping_version=mapping_version,
        status=DatasetImport.Status.SUCCEEDED,
        finished_at=timezone.now(),
    )
    for observed_on, severity in rows:
        Assessment.objects.create(
            country=country,
            indicator=indicator(code),
            observed_on=observed_on,
            severity=severity,
            confidence="high",
            source=f"{source} under mapping {mapping_version} ({observed_on.year})",
            evidence=f"Mapping {mapping_version}",
            dataset_import=dataset_import,
        )
    return dataset_import


def remapped_import(
    *,
    country: Country,
    code: str = "1.1",
    older: Iterable[tuple[dt.date, int]] = REMAP_OLDER_ROWS,
    newer: Iterable[tuple[dt.date, int]] = REMAP_NEWER_ROWS,
    source: str = "ucdp_country_year",
) -> tuple[DatasetImport, DatasetImport]:
    """A dataset file imported under an older mapping version with the `older` (date, severity) rows of one
    indicator, then the same bytes re-imported under the current mapping with the `newer` rows: the re-import
    supersedes the first import, whose rows stay recorded but must no longer count. Returns (older, newer)."""
    checksum = f"{next(_checksums):064x}"
    first = _import_with_rows(
        source=source, checksum=checksum, mapping_version=OLDER_MAPPING_VERSION, country=country, code=code, rows=older
    )
    again = _import_with_rows(
        source=source, checksum=checksum, mapping_version=MAPPING_VERSION, country=country, code=code, rows=newer
    )
    return first, again
