"""Scores in plain words: what an analyst's new entries changed, and why a country scores what it does.

Pure: assessment rows and score explanations in, sentences and small records out; no ORM, tested without a database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

SEVERITY_WORDS = {0: "none", 1: "low", 2: "moderate", 3: "serious"}
BAND_WORDS = {"low": "low", "moderate": "moderate", "high": "high", "very_high": "very high"}
GROUP_WORDS = {
    "genocide": "genocide",
    "crimes_against_humanity": "crimes against humanity",
    "war_crimes": "war crimes",
}


# ------------------------------------------------------------------------------------- what the new entries changed


@dataclass(frozen=True)
class EntryEffect:
    """One new assessment and what it did: counts now (perhaps replacing an older entry), or does not count."""

    entry: Mapping  # the new assessment row
    outcome: str  # "new" (first for its indicator), "replaced", "not_counted_newer" or "not_counted_old"
    previous: Mapping | None  # the entry that counted for the indicator before the batch
    counting: Mapping | None  # the entry that counts now, when it is not this one

    @property
    def severity_before(self) -> int | None:
        return None if self.previous is None else self.previous["severity"]

    @property
    def severity_after(self) -> int | None:
        if self.outcome in ("new", "replaced"):
            return self.entry["severity"]
        return None if self.counting is None else self.counting["severity"]

    @property
    def lowered(self) -> bool:
        before, after = self.severity_before, self.severity_after
        return before is not None and after is not None and after < before


def _order(row: Mapping) -> tuple[dt.date, int]:
    # The scoring core counts, per indicator, the latest observation; on the same date the later-recorded row.
    return (row["observed_on"], row["id"])


def entry_effects(
    *, new: Iterable[Mapping], others: Iterable[Mapping], today: dt.date, max_age_months: int
) -> list[EntryEffect]:
    """What each new entry did to its indicator, given every other assessment of the country's same indicators.

    Rows carry id, indicator_id, observed_on, severity, confidence and source. An entry counts when it is the latest
    observation of its indicator (the methodology's rule) and is not older than the maximum age.
    """
    new = sorted(new, key=_order)
    new_ids = {row["id"] for row in new}
    by_indicator: dict[int, list[Mapping]] = {}
    for row in others:
        if row["id"] not in new_ids and row["observed_on"] <= today:
            by_indicator.setdefault(row["indicator_id"], []).append(row)
    oldest_counted = _months_before(today, max_age_months)
    effects = []
    for row in new:
        earlier = by_indicator.get(row["indicator_id"], [])
        previous = max(earlier, key=_order, default=None)
        candidates = [*earlier, *(other for other in new if other["indicator_id"] == row["indicator_id"])]
        latest = max(candidates, key=_order)
        if latest["id"] != row["id"]:
            outcome, counting = "not_counted_newer", latest
        elif row["observed_on"] < oldest_counted:
            outcome, counting = "not_counted_old", None
        else:
            outcome, counting = ("replaced" if previous is not None else "new"), None
        effects.append(EntryEffect(entry=row, outcome=outcome, previous=previous, counting=counting))
    return effects


def _months_before(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def severity_words(severity: int | None) -> str:
    return "not assessed" if severity is None else f"{severity} ({SEVERITY_WORDS.get(severity, severity)})"


def effect_reason(effect: EntryEffect) -> str:
    """One sentence on what the entry did, naming the older or newer entry involved."""
    entry = effect.entry
    if effect.outcome == "new":
        return "First assessment of this indicator for the country: it now counts."
    if effect.outcome == "replaced":
        previous = effect.previous
        change = (
            "lowers"
            if entry["severity"] < previous["severity"]
            else "raises"
            if entry["severity"] > previous["severity"]
            else "keeps"
        )
        return (
            f"Replaces the entry observed {previous['observed_on']:%d %b %Y} ({severity_words(previous['severity'])}, "
            f"{previous['confidence']} confidence, {previous['source']}): only the latest observation of an "
            f"indicator counts, so this {change} its severity."
        )
    if effect.outcome == "not_counted_newer":
        counting = effect.counting
        return (
            f"Does not count: a newer observation ({counting['observed_on']:%d %b %Y}, "
            f"{severity_words(counting['severity'])}, {counting['source']}) is the one that counts for this indicator."
        )
    return "Does not count: it is older than the methodology's maximum age."


@dataclass(frozen=True)
class ScoreMove:
    label: str
    before: float | None
    after: float | None

    @property
    def change(self) -> float | None:
        return None if self.before is None or self.after is None else self.after - self.before


def score_moves(before: Mapping[str, float | None], after: Mapping[str, float | None], labels: Mapping[str, str]):
    """Before and after of each named score, in the labels' order."""
    return [ScoreMove(label=label, before=before.get(key), after=after.get(key)) for key, label in labels.items()]


# ------------------------------------------------------------------------------------------------- why this score


def _score(value: float | None) -> str:
    return "no score" if value is None else f"{value:.1f}"


def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def why_this_score(
    *, country_name: str, stored, explanation, parameters: Mapping, source_labels: Mapping[str, str] | None = None
) -> list[str]:
    """A paragraph, as sentences, on how the stored overall score comes from the factors and indicators behind it.

    `stored` is the CountryScore (overall, band, crime groups, coverage); `explanation` the ScoreExplanation the
    API serves (factors with their scores, contributions and changes); `parameters` the methodology's;
    `source_labels` each source's name in words (an indicator two datasets assess is listed once per source, so
    each line names its own).
    """
    source_labels = source_labels or {}
    if stored is None or stored.overall is None:
        return []
    groups: Mapping[str, Iterable[int]] = parameters.get("crime_groups", {})
    common_numbers = list(parameters.get("common_factors", range(1, 9)))
    factors = {factor.number: factor for factor in explanation.factors}
    group_scores = {group: getattr(stored, group, None) for group in groups}
    leading = max((group for group in group_scores if group_scores[group] is not None), key=group_scores.get)
    band = BAND_WORDS.get(stored.band or "", "not banded")
    sentences = [
        f"{country_name}'s overall score is {_score(stored.overall)} ({band}): the highest of its three crime-group "
        f"scores, here {GROUP_WORDS.get(leading, leading)}."
    ]
    specific = [number for number in groups.get(leading, [])]
    specific_scores = [factors[n].score for n in specific if n in factors and factors[n].score is not None]
    specific_mean = _mean(specific_scores)
    common_score = getattr(stored, "common", None)
    numbers = " and ".join(str(n) for n in specific)
    if specific_mean is None:
        sentences.append(
            f"No indicator of its specific risk factors ({numbers}) is assessed, so it equals the common score of "
            f"factors 1-8 ({_score(common_score)})."
        )
    else:
        sentences.append(
            f"That score is the mean of the common risk factors 1-8 ({_score(common_score)}) and of the "
            f"{GROUP_WORDS.get(leading, leading)}-specific factors {numbers} ({_score(specific_mean)})."
        )
    relevant = [factors[n] for n in (*common_numbers, *specific) if n in factors]
    drivers = sorted(
        ((item, factor) for factor in relevant for item in factor.contributions if item.counts and item.severity >= 2),
        key=lambda pair: (-pair[0].severity, -pair[0].weight, pair[0].code),
    )[:3]
    if drivers:
        described = [
            f"{item.code} {item.title} ({SEVERITY_WORDS[item.severity]}, {item.confidence} confidence, observed "
            f"{item.observed_on:%b %Y}, source: {source_labels.get(item.source, item.source)})"
            for item, _ in drivers
        ]
        sentences.append(f"It rests most on {_join(described)}.")
    assessed = sum(factor.indicators_assessed for factor in relevant)
    total = sum(factor.indicators_total for factor in relevant)
    if total:
        sentences.append(
            f"{assessed} of the {total} indicators behind it are assessed; an unassessed indicator is left out of "
            "its factor rather than counted as no risk, so a few serious findings can carry a high score."
        )
    changes = [change for factor in relevant for change in factor.changes if change.kind != "aged"]
    if changes:
        counts = {kind: sum(1 for c in changes if c.kind == kind) for kind in ("new", "updated", "expired")}
        words = {"new": "newly assessed", "updated": "updated", "expired": "no longer counted (too old)"}
        described = [f"{n} {words[kind]}" for kind, n in counts.items() if n]
        sentences.append(
            f"Since {explanation.compared_with:%B %Y}, {_join(described)} indicator"
            f"{'s' if len(changes) != 1 else ''} changed what counts."
        )
    return sentences
