"""Small synthetic country-years for the forecast's pure tests: two drivers of onset, one of them sometimes missing."""

from __future__ import annotations

import numpy as np
import pandas as pd

ISO3 = [f"Q{chr(65 + a)}{chr(65 + b)}" for a in range(5) for b in range(8)]  # 40 fake codes, QAA..QEH


def synthetic_world(*, first_year: int = 1980, last_year: int = 2010, seed: int = 7):
    """(outcomes, structural, framework) frames: onset risk rises with `tension` (structural) and `overall`
    (Framework, December of each year); a tenth of the tension values are missing."""
    rng = np.random.default_rng(seed)
    years = list(range(first_year, last_year + 1))
    level = {iso3: rng.normal() for iso3 in ISO3}
    structural_rows, framework_rows, outcome_rows = [], [], []
    for iso3 in ISO3:
        for year in years:
            tension = level[iso3] + rng.normal(scale=0.5)
            overall = 50 + 15 * level[iso3] + rng.normal(scale=5)
            structural_rows.append(
                {
                    "iso3": iso3,
                    "year": year,
                    "tension": np.nan if rng.random() < 0.1 else tension,
                    "noise": rng.normal(),
                }
            )
            framework_rows.append({"iso3": iso3, "year": year, "overall": overall})
            # The onset of year+1 depends on the values of `year` (known at its end).
            risk = 1 / (1 + np.exp(-(-4.2 + 1.4 * tension + 0.03 * (overall - 50))))
            outcome_rows.append({"iso3": iso3, "year": year + 1, "onset": int(rng.random() < risk), "ongoing": 0})
    outcomes = pd.DataFrame(outcome_rows)
    outcomes = outcomes[outcomes["year"] <= last_year].reset_index(drop=True)
    return outcomes, pd.DataFrame(structural_rows), pd.DataFrame(framework_rows)
