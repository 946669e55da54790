"""What the forecast adds to the pages and importers of the floors below it, through core.extensions."""

from __future__ import annotations

from core import extensions
from forecasts import presentation, selectors, services


def _outcomes_run(*, raw, dataset_import, progress=None) -> extensions.ImportOutcome:
    return _outcome(services.outcomes_import(raw=raw, dataset_import=dataset_import, progress=progress))


def _structural_run(*, raw, dataset_import, progress=None) -> extensions.ImportOutcome:
    return _outcome(services.structural_import(raw=raw, dataset_import=dataset_import, progress=progress))


def _ucdp_one_sided_run(*, raw, dataset_import, progress=None) -> extensions.ImportOutcome:
    report = services.structural_import(
        raw=raw, dataset_import=dataset_import, progress=progress, source="ucdp_one_sided"
    )
    return _outcome(report)


def _outcome(report: services.ImportReport) -> extensions.ImportOutcome:
    return extensions.ImportOutcome(
        rows_read=report.rows_read,
        created=report.created,
        message=report.message,
        skipped=report.skipped,
        summary=report.summary,
        errors=report.errors,
    )


def register() -> None:
    extensions.importer_sources.register(
        extensions.ImporterSource(
            name="ewp_basedata",
            label="Early Warning Project country-year base data (mass-killing outcomes)",
            run=_outcomes_run,
            description=(
                "EWP's basedata file (year, country, ccode, mk_onset, mk_ongoing, mk_onset_count, ...): one outcome "
                "per country-year for the onset forecast. A newer edition replaces the years it covers."
            ),
            order=50,
        )
    )
    extensions.importer_sources.register(
        extensions.ImporterSource(
            name="ewp_structural",
            label="Early Warning Project model matrix (structural predictors for the forecast)",
            run=_structural_run,
            description=(
                "EWP's predictors file (or the 2025 forecasts file with its 2024 predictors): population, infant "
                "mortality, GDP growth, coups, country age, battle deaths, discrimination, V-Dem measures, region. "
                "Mapped column by column in forecasts/parsers.py (STRUCTURAL_VARIABLES)."
            ),
            order=51,
        )
    )
    extensions.importer_sources.register(
        extensions.ImporterSource(
            name="ucdp_one_sided",
            label="UCDP one-sided violence per country-year (a structural predictor for the forecast)",
            run=_ucdp_one_sided_run,
            description=(
                "UCDP's organizedviolencecy file: civilians deliberately killed by governments and organised armed "
                "groups in each country-year (os_total_deaths_best_cy), as log(1 + deaths). Mapped in "
                "forecasts/parsers.py (UCDP_ONE_SIDED_VARIABLES)."
            ),
            order=52,
        )
    )
    extensions.country_detail_panels.register(
        extensions.Panel(
            name="forecasts.onset",
            template="forecasts/_country_panel.html",
            context=presentation.country_panel_context,
            order=20,
        )
    )
    extensions.methodology_panels.register(
        extensions.Panel(
            name="forecasts.method",
            template="forecasts/_methodology_section.html",
            context=presentation.methodology_context,
            order=20,
        )
    )
    extensions.overview_columns.register(
        extensions.OverviewColumn(
            name="forecast_1y",
            label="Onset forecast",
            title="Probability (%) of a new mass killing starting this year, from the forecast model",
            order=5,
            sort=selectors.forecast_1y_sort_expression,
            map_label="One-year onset forecast",
            map_suffix="%",
        )
    )
    extensions.overview_row_annotations.register(
        extensions.RowAnnotation(
            name="forecasts.probabilities",
            columns=("forecast_1y",),
            values=selectors.forecast_probabilities_by_country,
            default=None,
        )
    )
