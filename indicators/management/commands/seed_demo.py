"""Load demonstration users, desk memberships and a year of assessments; safe to run again."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from core.interrupts import command_interrupted_message
from indicators.demo import DEMO_PROFILES, demo_assessments_build
from indicators.importers.demonstration import demo_assessments_import_exists, demo_assessments_record
from indicators.models import Assessment, Country, CountryScore, DatasetImport, Desk, ScoreRun
from indicators.scoring.services import score_run_summary, scores_recompute
from indicators.selectors import indicators_active, methodology_active, real_data_present
from indicators.services import scores_recompute_request
from indicators.signals import demo_seeded

# Development accounts; the README documents them. seed_demo refuses to run with DEBUG off.
DEMO_USERS = (
    ("analyst", "Amina", "Osei", "analyst", ("sub-saharan-africa", "mena", "europe-central-asia")),
    ("analyst_asia", "Thomas", "Nguyen", "analyst", ("south-asia", "east-asia-pacific", "americas")),
    ("focal", "Fatima", "Rahman", "focal_point", ()),
    ("viewer", "Victor", "Hale", "viewer", ()),
    ("admin", "Ada", "Lovelace", "administrator", ()),
)
DEMO_PASSWORD_SUFFIX = "-dev-password"


class Command(BaseCommand):
    help = (
        "Create demo users (one per role); import the real datasets when present, otherwise record a year of "
        "invented assessments for about 15 countries (never both)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off (never in production).")
        parser.add_argument(
            "--import-now",
            action="store_true",
            help="Import the real datasets in ATROCITY_WATCH_DATA_DIR inline instead of queueing them for the worker.",
        )

    def handle(self, *args, force: bool = False, import_now: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo creates accounts with published passwords; it runs only with DEBUG on.")
        # Its imports and score run fail themselves as interrupted; what finished before stays, so it runs again.
        with command_interrupted_message(
            "Interrupted (Ctrl-C): an import or score run that had not finished is failed, and nothing of it was "
            "stored; run seed_demo again to finish."
        ):
            self._seed(import_now=import_now)

    def _seed(self, *, import_now: bool) -> None:
        users = self._users()
        # With real data, no invented assessment is recorded: made-up evidence on real countries would sit among the
        # real data and move real scores. The demo then runs on the real scores alone.
        real_data = self._real_data(import_now=import_now)
        if real_data:
            self.stdout.write("Real data present: no demonstration assessments recorded.")
            created = 0
            self._scores_for_active_methodology()
        else:
            created = self._assessments(users)
        if created:
            # Score the demo countries now so the dashboard is complete on first load, not after the worker.
            run = scores_recompute(
                trigger=ScoreRun.Trigger.MANUAL,
                country_ids=list(Country.objects.filter(iso3__in=list(DEMO_PROFILES)).values_list("pk", flat=True)),
            )
            self.stdout.write(score_run_summary(run))
        # Higher apps (the actor network) add their demo data, or hold it back beside real data; indicators never
        # imports them.
        demo_seeded.send(sender=None, stdout=self.stdout, real_data=real_data)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo ready: {len(users)} users ({', '.join(users)}; password '<username>{DEMO_PASSWORD_SUFFIX}'), "
                f"{created} new assessments."
            )
        )

    # --- real datasets (issue 4): queued for the worker so `make run` serves at once; checksums keep it idempotent --
    def _real_data(self, *, import_now: bool) -> bool:
        """Import (or queue) the real datasets; True when there is real data, imported now, queued or earlier."""
        from indicators.importers.services import dataset_imports_enqueue_real_data

        data_dir = Path(settings.ATROCITY_WATCH_DATA_DIR)
        if not data_dir.is_dir():
            self.stdout.write(f"No real data at {data_dir} (ATROCITY_WATCH_DATA_DIR); demo assessments only.")
            return real_data_present()
        imports = dataset_imports_enqueue_real_data(data_dir=data_dir, now=import_now)
        for item in imports:
            self.stdout.write(f"  {item.source:<18} import #{item.pk}: {item.status} {item.error_summary}".rstrip())
        pending = sum(item.status in (DatasetImport.Status.QUEUED, DatasetImport.Status.RUNNING) for item in imports)
        if pending:
            self.stdout.write(
                f"{pending} real-data imports queued for the Celery worker; progress at /imports/ "
                "(or run seed_demo --import-now to import inline)."
            )
        else:
            self.stdout.write(f"Real data from {data_dir}: {len(imports)} datasets imported.")
        return bool(imports) or real_data_present()

    def _scores_for_active_methodology(self) -> None:
        """After a new methodology version is activated (a migration may do it), queue one full recompute so the
        dashboard does not wait for the nightly run; nothing when the active version already has scores."""
        methodology = methodology_active()
        if methodology is None or CountryScore.objects.filter(methodology=methodology).exists():
            return
        country_ids = list(Assessment.objects.order_by().values_list("country_id", flat=True).distinct())
        if country_ids:
            with transaction.atomic():
                scores_recompute_request(country_ids=country_ids, trigger=ScoreRun.Trigger.MANUAL)
            self.stdout.write(
                f"Methodology v{methodology.version} has no scores yet: a recompute of {len(country_ids)} countries "
                "is queued for the worker."
            )

    def _users(self) -> dict[str, User]:
        users: dict[str, User] = {}
        for username, first, last, role, desk_slugs in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"first_name": first, "last_name": last, "email": f"{username}@atrocity-watch.invalid"},
            )
            if created:
                user.set_password(f"{username}{DEMO_PASSWORD_SUFFIX}")
                user.is_staff = role == "administrator"
                user.save()
            user.groups.add(Group.objects.get(name=role))
            for desk in Desk.objects.filter(slug__in=desk_slugs):
                desk.analysts.add(user)
            users[username] = user
        return users

    def _assessments(self, users: dict[str, User]) -> int:
        demo_authors = [user for user in users.values() if user.username.startswith("analyst")]
        # (Before demonstration imports, seed_demo recorded them one by one under the demo analysts' names.)
        if demo_assessments_import_exists() or Assessment.objects.filter(author__in=demo_authors).exists():
            return 0
        analysts_by_desk = {
            desk_id: user for user in demo_authors for desk_id in user.desks.values_list("id", flat=True)
        }
        indicator_codes = sorted(indicator.code for indicator in indicators_active())
        records = demo_assessments_build(indicator_codes=indicator_codes, end=timezone.localdate())
        demo_assessments_record(records=records, authors_by_desk=analysts_by_desk)
        return len(records)
