"""Plausible demonstration assessments: deterministic, pure, no ORM (the seed_demo command stores them)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

# The source of the demonstration import that holds these assessments once stored (indicators.importers.demonstration).
DEMO_IMPORT_SOURCE = "demo"

# Base risk (0-1) and trend per month for countries an atrocity-prevention unit would watch, with a few calmer
# countries for contrast. These are illustrations for the demo, not assessments of the real situations.
DEMO_PROFILES: dict[str, tuple[float, float]] = {
    "SDN": (0.85, 0.010),
    "MMR": (0.80, 0.000),
    "SSD": (0.70, 0.005),
    "COD": (0.72, 0.008),
    "ETH": (0.62, -0.004),
    "SYR": (0.68, -0.010),
    "AFG": (0.66, 0.002),
    "YEM": (0.64, 0.000),
    "NGA": (0.52, 0.006),
    "HTI": (0.50, 0.012),
    "UKR": (0.55, 0.000),
    "VEN": (0.38, 0.004),
    "MLI": (0.58, 0.008),
    "BFA": (0.56, 0.010),
    "SOM": (0.60, 0.000),
    "GHA": (0.15, 0.000),
    "NOR": (0.04, 0.000),
}

EVIDENCE_PHRASES = (
    "Reports from UN field presence and partner NGOs",
    "Embassy reporting corroborated by open-source monitoring",
    "Human rights monitoring mission findings",
    "Local civil society contacts; not yet independently verified",
    "Satellite imagery analysis and displacement figures",
)
SOURCES = ("Embassy reporting", "OHCHR update", "ACLED weekly review", "NGO partner brief", "Desk open-source review")


@dataclass(frozen=True)
class DemoAssessment:
    iso3: str
    indicator_code: str
    observed_on: dt.date
    severity: int
    confidence: str
    source: str
    evidence: str


def demo_assessments_build(
    *, indicator_codes: list[str], end: dt.date, months: int = 12, seed: int = 2014
) -> list[DemoAssessment]:
    """A year of monthly desk assessments for the demo countries, the same on every run."""
    records: list[DemoAssessment] = []
    for iso3, (base, trend) in DEMO_PROFILES.items():
        rng = random.Random(f"{seed}-{iso3}")
        watched = rng.sample(indicator_codes, k=max(12, int(len(indicator_codes) * (0.25 + 0.5 * base))))
        for month_back in range(months - 1, -1, -1):
            month_end = _month_end(end, month_back)
            level = min(1.0, max(0.0, base + trend * (months - 1 - month_back)))
            for code in rng.sample(watched, k=max(4, len(watched) // 4)):
                noise = rng.gauss(0, 0.6)
                severity = int(min(3, max(0, round(level * 3 + noise))))
                confidence = rng.choices(("high", "medium", "low"), weights=(3, 4, 2))[0]
                day = rng.randint(1, month_end.day)
                records.append(
                    DemoAssessment(
                        iso3=iso3,
                        indicator_code=code,
                        observed_on=month_end.replace(day=day),
                        severity=severity,
                        confidence=confidence,
                        source=rng.choice(SOURCES),
                        evidence=rng.choice(EVIDENCE_PHRASES),
                    )
                )
    return records


def _month_end(end: dt.date, months_back: int) -> dt.date:
    year, month = end.year, end.month - months_back
    while month <= 0:
        month += 12
        year -= 1
    if (year, month) == (end.year, end.month):
        return end
    next_first = dt.date(year + (month == 12), month % 12 + 1, 1)
    return next_first - dt.timedelta(days=1)
