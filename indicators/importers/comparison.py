"""Pure comparison of two country rankings: Spearman's rank correlation over the countries both rank."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class RankComparison:
    spearman: float | None
    common: list[str]
    only_ours: list[str]
    only_reference: list[str]


def rankings_compare(ours: dict[str, float], reference: dict[str, float]) -> RankComparison:
    """Spearman's rho (Pearson correlation of average ranks) between two score maps keyed by ISO-3, higher = riskier.

    Computed with pandas ranks and numpy so the project needs no scipy.
    """
    common = sorted(set(ours) & set(reference))
    only_ours = sorted(set(ours) - set(reference))
    only_reference = sorted(set(reference) - set(ours))
    if len(common) < 3:
        return RankComparison(None, common, only_ours, only_reference)
    ranks_ours = pd.Series([ours[iso3] for iso3 in common]).rank(method="average").to_numpy()
    ranks_reference = pd.Series([reference[iso3] for iso3 in common]).rank(method="average").to_numpy()
    if np.std(ranks_ours) == 0 or np.std(ranks_reference) == 0:
        return RankComparison(None, common, only_ours, only_reference)
    rho = float(np.corrcoef(ranks_ours, ranks_reference)[0, 1])
    return RankComparison(rho, common, only_ours, only_reference)
