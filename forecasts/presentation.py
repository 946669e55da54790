"""What the pages show of the forecast: plain-words contexts for the country panel and the methodology section.

Registered with the lower pages' extension points in apps.py; the forecast is always shown beside the Framework
score, never blended into it.
"""

from __future__ import annotations

import json

import plotly.graph_objects as go
import plotly.utils

from forecasts import selectors
from forecasts.candidates import FEATURE_SETS
from indicators.page_cache import page_piece

OUTCOME_IN_WORDS = (
    "A mass killing, as the Early Warning Project defines it: armed forces or armed groups (state-led or not) "
    "deliberately kill at least 1,000 non-combatant civilians of a discrete group in a period of sustained violence "
    "(EWP counts 1,000 or more within a year). The forecast is the probability that a new episode begins, whether "
    "or not another one is already under way."
)


def in_words(probability: float) -> str:
    """'3.2% (about 1 in 31)': a percentage a reader can picture."""
    percent = probability * 100
    shown = f"{percent:.1f}%" if percent >= 0.1 else "under 0.1%"
    if probability <= 0:
        return shown
    one_in = round(1 / probability)
    return f"{shown} (about 1 in {one_in:,})" if one_in >= 2 else shown


def ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def uncertainty_statement(model, probability: float) -> str:
    """How often an onset followed forecasts like this one in the model's backtest, with a 95% interval."""
    backtest = (model.backtest or {}).get("figures", {}).get("1y")
    if not backtest:
        return "This model has no backtest yet, so how far to trust this figure is not known."
    for entry in backtest["calibration"]:
        if entry["low"] <= probability < entry["high"] or (entry["high"] == 1.0 and probability >= entry["low"]):
            if not entry["rows"]:
                break
            low, high = entry["interval"]
            return (
                f"In the backtest ({model.backtest['first_year']}-{model.backtest['last_year']}, each year forecast "
                f"by a model trained only on earlier years), country-years given {entry['low']:.1%}-"
                f"{entry['high']:.0%} saw an onset {entry['observed']:.1%} of the time ({entry['onsets']} of "
                f"{entry['rows']}; 95% interval {low:.1%}-{high:.1%}). Rare events: treat the figure as an order of "
                "magnitude, the rank as the firmer signal."
            )
    return "No backtest forecasts fell in this range, so its uncertainty is not measured."


def country_panel_context(request, country) -> dict | None:
    """The country page's forecast card, or a note that no forecast exists yet: the same for every reader until
    a model is published (part of the data version), so kept with the page's other pieces."""
    return page_piece(request, "forecast-card", country.iso3, build=lambda: _country_panel(country))


def _country_panel(country) -> dict:
    forecast = selectors.forecast_latest_for_country(country=country)
    if forecast is None:
        return {"forecast": None, "country": country, "outcome_in_words": OUTCOME_IN_WORDS}
    model = forecast.model
    drivers = [
        {**driver, "points": abs(driver["effect"]) * 100, "raises": driver["direction"] == "raises"}
        for driver in forecast.drivers
    ]
    return {
        "country": country,
        "forecast": forecast,
        "model": model,
        "one_year_words": in_words(forecast.probability_1y),
        "two_year_words": in_words(forecast.probability_2y),
        "rank_words": f"{ordinal(forecast.rank_1y)} highest of {forecast.countries_ranked} countries",
        "rank_2y_words": f"{ordinal(forecast.rank_2y)} of {forecast.countries_ranked}",
        "uncertainty": uncertainty_statement(model, forecast.probability_1y),
        "drivers": drivers,
        "missing_count": len(forecast.missing_features),
        "outcome_in_words": OUTCOME_IN_WORDS,
    }


def calibration_figure(model) -> str | None:
    """Plotly JSON of the backtest's calibration (forecast against observed onset share, with 95% intervals)."""
    bins = [
        entry
        for entry in (model.backtest or {}).get("figures", {}).get("1y", {}).get("calibration", [])
        if entry["rows"]
    ]
    if not bins:
        return None
    forecast = [entry["mean_forecast"] * 100 for entry in bins]
    observed = [entry["observed"] * 100 for entry in bins]
    upper = [(entry["interval"][1] - entry["observed"]) * 100 for entry in bins]
    lower = [(entry["observed"] - entry["interval"][0]) * 100 for entry in bins]
    top = max(max(forecast), max(o + u for o, u in zip(observed, upper, strict=True))) * 1.05
    figure = go.Figure(
        [
            go.Scatter(x=[0, top], y=[0, top], mode="lines", name="Perfect calibration", line={"dash": "dot"}),
            go.Scatter(
                x=forecast,
                y=observed,
                mode="markers+lines",
                name="Backtest, one-year horizon",
                error_y={"type": "data", "array": upper, "arrayminus": lower, "visible": True},
                text=[f"{entry['onsets']} onsets in {entry['rows']} country-years" for entry in bins],
                hovertemplate="Forecast %{x:.2f}%<br>Observed %{y:.2f}%<br>%{text}<extra></extra>",
            ),
        ]
    )
    figure.update_layout(
        xaxis_title="Mean forecast probability (%)",
        yaxis_title="Share with an onset (%)",
        margin={"l": 60, "r": 20, "t": 20, "b": 50},
        height=360,
        legend={"orientation": "h", "y": -0.25},
    )
    spec = {
        "data": figure.to_dict()["data"],
        "layout": figure.to_dict()["layout"],
        "config": {"displaylogo": False, "modeBarButtons": [["toImage"]], "responsive": True},
    }
    return json.dumps(spec, cls=plotly.utils.PlotlyJSONEncoder)


LABEL_WORDS = {"onset_1y": "onsets in the year", "onset_2y": "onsets within two years"}
HORIZON_WORDS = {"1y": "one year", "2y": "two years"}


ALGORITHM_WORDS = {
    "elastic_net": "Elastic-net logistic regression",
    "gradient_boosting": "Gradient-boosted trees",
    "random_forest": "Random forest",
}


def candidate_words(name: str) -> str:
    """A candidate's recorded name ("elastic_net C=0.03 features=all_transformed label=2y", "average of A and B") in
    plain words; a name it cannot read is returned as it is."""
    if name.startswith("average of "):
        parts = [candidate_words(part) for part in name.removeprefix("average of ").split(" and ")]
        return "Equal-weight average of " + " and ".join(part[:1].lower() + part[1:] for part in parts)
    algorithm, *options = name.split() or [""]
    if algorithm not in ALGORITHM_WORDS:
        return name
    settings = dict(option.split("=", 1) for option in options if "=" in option)
    details = [FEATURE_SETS.get(settings.get("features", "all"), settings.get("features", ""))]
    if "C" in settings:
        details.insert(0, f"penalty C = {settings['C']}")
    words = f"{ALGORITHM_WORDS[algorithm]} ({'; '.join(details)})"
    if settings.get("label") == "2y":
        words += ", fitted on onsets within two years"
    return words


def member_words(described: dict, horizon: str) -> list[str]:
    """What each member of a horizon's model was fitted on, in words, for the members fitted on another horizon's label
    (a one-year model fitted on the two-year label); a model recorded before members were described gives its labels."""
    members = described.get("members") or [
        {"name": name, "label": label} for name, label in (described.get("fitted_on_label") or {}).items()
    ]
    result = []
    for member in members:
        if member["label"] == f"onset_{horizon}":
            continue
        model_words = candidate_words(member["name"].replace(" label=2y", ""))
        words = (
            f"{model_words}: fitted on {LABEL_WORDS.get(member['label'], member['label'])}, "
            f"calibrated to {HORIZON_WORDS[horizon]}"
        )
        if "rows" in member:
            words += (
                f" ({member['rows']:,} country-years through {member['last_year']}, "
                f"{member['positives']} with an onset within two years)"
            )
        result.append(words)
    return result


def backtest_rows(model) -> list[dict]:
    """The backtest table's rows per horizon: this model on every country-year, then on the Early Warning Project's
    rows beside EWP's own out-of-sample forecasts, then the Framework overall score (each only when recorded)."""
    figures = (model.backtest or {}).get("figures", {})
    rows = []
    for horizon, words in (("1y", "One year (onset in T)"), ("2y", "Two years (onset in T or T+1)")):
        entry = figures.get(horizon)
        if not entry:
            continue
        rows.append({"horizon": words, "label": "This model, every country-year", **entry["ours"]})
        ewp = entry.get("same_rows_as_ewp")
        if ewp:
            rows.append({"horizon": words, "label": "This model, on the Early Warning Project's rows", **ewp["ours"]})
            rows.append(
                {
                    "horizon": words,
                    "label": "Early Warning Project's out-of-sample forecasts, same rows",
                    **ewp["ewp"],
                }
            )
        framework = entry.get("same_rows_as_framework")
        if framework:
            rows.append(
                {
                    "horizon": words,
                    "label": "Framework overall score (December T-1), same rows",
                    **framework["framework"],
                }
            )
    return rows


def methodology_context(request, obj=None) -> dict:
    """The methodology page's forecast section: the model, its features, its backtest table and calibration."""
    model = selectors.forecast_model_latest()
    context: dict = {"model": model, "outcome_in_words": OUTCOME_IN_WORDS}
    if model is None:
        return context
    rows = backtest_rows(model)
    horizons = []
    for key, words in (("1y", "One year"), ("2y", "Two years")):
        described = model.horizons.get(key, {})
        weights = described.get("coefficients") or described.get("importances") or {}
        top = sorted(weights.items(), key=lambda item: -abs(item[1]))[:12]
        horizons.append(
            {
                "words": words,
                "described": described,
                "chosen_words": candidate_words(described.get("chosen", "")),
                "top_weights": top,
                "members": member_words(described, key),
            }
        )
    labels = {feature["name"]: feature["label"] for feature in model.features}
    context.update(
        {
            "backtest_rows": rows,
            "calibration_json": calibration_figure(model),
            "horizons": horizons,
            "labels": labels,
        }
    )
    return context
