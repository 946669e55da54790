"""manage.py forecast_train: backtest, train on every known outcome and publish a new forecast model version."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.interrupts import command_interrupted_message
from forecasts.models import ForecastRun
from forecasts.services import forecast_train


class Command(BaseCommand):
    help = "Train the onset forecast (both horizons), backtest it, and publish its forecasts as a new model version."

    def add_arguments(self, parser):
        parser.add_argument(
            "--backtest-first-year", type=int, help="First year of the backtest stored with the model (default 1994)."
        )

    def handle(self, *args, backtest_first_year: int | None, **options):
        # The service failed an unfinished training as interrupted.
        with command_interrupted_message(
            "Interrupted (Ctrl-C): a training that had not finished is failed; the published model stands."
        ):
            try:
                model = forecast_train(
                    trigger=ForecastRun.Trigger.MANUAL,
                    backtest_first_year=backtest_first_year,
                    progress=lambda stage: self.stderr.write(f"  {stage}"),
                )
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
        one = model.horizons["1y"]
        self.stdout.write(
            self.style.SUCCESS(
                f"Forecast model v{model.version}: forecasts for {model.forecast_year} from data up to "
                f"{model.data_year}, trained on outcomes {model.training_first_year}-{model.trained_through} "
                f"in {model.run.seconds:.1f} s; one-year model: {one['chosen']}."
            )
        )
        figures = (model.backtest or {}).get("figures", {}).get("1y", {}).get("ours")
        if figures:
            self.stdout.write(
                f"Backtest {model.backtest['first_year']}-{model.backtest['last_year']} (one year): ROC AUC "
                f"{figures['roc_auc']:.3f}, {figures['top_hits']} of {figures['onsets']} onsets in the top 30."
            )
