"""seed_demo gives a new user one account per role and a scored year of demo assessments, once."""

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from core.roles import Role, user_roles
from indicators.demo import DEMO_PROFILES
from indicators.models import Assessment, CountryScore

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_real_data(settings, tmp_path):
    settings.ATROCITY_WATCH_DATA_DIR = tmp_path / "absent"
    settings.DEBUG = True  # pytest-django turns DEBUG off; seed_demo runs only in development


def test_seed_demo_creates_one_account_per_role_with_the_documented_password(no_real_data):
    call_command("seed_demo", stdout=None)
    roles = {user.username: user_roles(user) for user in User.objects.all()}
    assert roles["analyst"] == {Role.ANALYST}
    assert roles["focal"] == {Role.FOCAL_POINT}
    assert roles["viewer"] == {Role.VIEWER}
    assert roles["admin"] == {Role.ADMINISTRATOR}
    assert User.objects.get(username="focal").check_password("focal-dev-password")
    assert User.objects.get(username="admin").is_staff


def test_seed_demo_scores_every_demo_country_at_once(no_real_data):
    call_command("seed_demo")
    assert Assessment.objects.count() > 1000
    scored = set(CountryScore.objects.values_list("country__iso3", flat=True).distinct())
    assert scored == set(DEMO_PROFILES)


def test_seed_demo_run_twice_adds_nothing(no_real_data):
    call_command("seed_demo")
    count = Assessment.objects.count()
    call_command("seed_demo")
    assert Assessment.objects.count() == count
    assert User.objects.filter(username="analyst").count() == 1


def test_seed_demo_refuses_to_run_with_debug_off(settings, no_real_data):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only with DEBUG on"):
        call_command("seed_demo")
    assert not User.objects.exists()
