"""Plain-words sentences for briefs and reports. Pure: plain data in, strings out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

SEVERITY_WORDS = {0: "none", 1: "low", 2: "moderate", 3: "serious"}
BAND_WORDS = {"low": "low", "moderate": "moderate", "high": "high", "very_high": "very high"}
DRIVERS_SHOWN = 3


def person_name(user) -> str:
    """A user's full name, else their username; empty for nobody (the system acted)."""
    if user is None:
        return ""
    return user.get_full_name() or user.username


def band_word(score: float | None, thresholds: Mapping[str, float]) -> str:
    if score is None:
        return "not scored"
    if score >= thresholds["very_high"]:
        return "very high"
    if score >= thresholds["high"]:
        return "high"
    if score >= thresholds["moderate"]:
        return "moderate"
    return "low"


def drivers_in_words(
    *, score: Mapping | None, factors: Sequence[Mapping], moves: Sequence, thresholds: Mapping[str, float]
) -> list[str]:
    """What drives the country's score, in sentences a minister reads: the highest crime group, the risk factors that
    weigh most with the indicators behind them, and what moved in the last three months."""
    if score is None:
        return ["The country has no score yet: too few of its indicators are assessed."]
    sentences = []
    groups = [(label, value) for label, value in score["groups"][:3] if value is not None]
    if groups:
        label, value = max(groups, key=lambda item: item[1])
        sentences.append(
            f"The overall score of {score['overall']:.0f} ({BAND_WORDS.get(score['band'], 'not banded')}) is the "
            f"{label.lower()} score, the highest of the three crime groups; "
            f"{score['coverage'] * 100:.0f}% of the Framework's indicators are assessed."
        )
    ranked = sorted((f for f in factors if f["score"] is not None), key=lambda f: -f["score"])
    for factor in ranked[:DRIVERS_SHOWN]:
        if factor["score"] < thresholds["moderate"]:
            break
        sentence = (
            f"Risk factor {factor['number']}, {factor['name'].rstrip('.').lower()}, stands at {factor['score']:.0f} "
            f"({band_word(factor['score'], thresholds)}) on {factor['assessed']} assessed "
            f"indicator{'s' if factor['assessed'] != 1 else ''}"
        )
        tops = [t for t in factor["top_indicators"] if t["severity"] >= 2]
        if tops:
            named = "; ".join(
                f"{t['code']} {t['title'].rstrip('.').lower()} ({SEVERITY_WORDS[t['severity']]}, "
                f"{t['source']}, {t['observed_on']:%B %Y})"
                for t in tops
            )
            sentence += f", led by {named}"
        sentences.append(sentence + ".")
    if len(sentences) == 1 and ranked:
        sentences.append("No risk factor reaches the moderate band.")
    for move in list(moves)[:3]:
        before = SEVERITY_WORDS.get(move.before, "not assessed") if move.before is not None else "not assessed"
        direction = "rose" if move.delta > 0 else "fell"
        sentences.append(
            f"In the last three months indicator {move.code} ({move.title.rstrip('.').lower()}) {direction} from "
            f"{before} to {SEVERITY_WORDS[move.after]} ({move.source}, {move.observed_on:%-d %B %Y})."
        )
    return sentences
