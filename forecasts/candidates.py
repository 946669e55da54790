"""The menu of models one horizon's cross-validation chooses from, its folds and its out-of-fold forecasts (pure).

Every candidate is scored on the label of the horizon being forecast. The one-year horizon also offers the same models
fitted on the two-year label (`WIDER_LABEL_CANDIDATES`), as EWP fits its model: an onset in T' or T'+1 gives about
twice the positive rows of an onset in T' alone, which a model may learn the ranking from better even when the
question is the one-year one. Such a model is fitted only on rows whose two-year label is fully known before the
forecast year (features.wider_labels), and inside the cross-validation never on a row whose label reads an outcome of
the fold held out (`Labels.fit_rows`, the same rule as the two-year horizon's own candidates); a wider-label candidate
whose rows hold only one class in the window is not offered. Whether it wins is decided, like everything else, by the
Platt-scaled out-of-fold log loss of the one-year label inside the training window; its probabilities are then
Platt-calibrated to the one-year label.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from forecasts.elastic_net import ElasticNetLogistic
from forecasts.features import MISSING_SUFFIX, TRANSFORMED

# The penalty grid (C, inverse strength; the whole window's rows enter the objective's sum). C = 1 extends it one
# half-decade beyond 0.3, which, as the grid's edge, was the best elastic net in 14 of the 34 windows' cross-validations
# of the 1994-2010 backtest: the cross-validation of each window decides whether the weaker penalty helps.
PENALTIES = (0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
L1_RATIO = 0.5
CV_FOLDS = 4
EN_TOLERANCE = 1e-2  # optimality residual / penalty level: coefficients within 0.02 of the optimum (elastic_net.py)
WIDER_LABEL = 2  # the horizon of the label the wider-label candidates are fitted on

# Feature sets. The trees always see "all"; the elastic net is offered EN_FEATURE_SETS. "all" is every feature;
# "summary" leaves out the Framework's risk-factor detail (its 14 risk factors are sparse before analysts' assessments
# begin, and may add more noise than signal in a given window). A third set, structural predictors alone, lost to
# these two in the cross-validation of every one-year window of 1994-2010 and is no longer tried. "_transformed":
# infant mortality and GDP growth replaced by their EWP-style transforms (features.TRANSFORMED); the untransformed sets
# never see the transforms.
FEATURE_SETS = {
    "all": "every feature",
    "summary": "structural predictors, indicator values and the Framework's overall and crime-group scores",
    "all_transformed": "every feature; infant mortality relative to the year's world median, GDP growth winsorised",
    "summary_transformed": "the summary set; infant mortality relative to the world median, GDP growth winsorised",
}
# The feature sets the elastic net is offered on: the EWP-style transforms only. Offering the untransformed sets as well
# (twice the elastic-net fits, the largest share of the training time) changed no forecast of the 1994-2010 backtest in
# any window of either horizon, measured on 7 December 2026 with the random forest in the menu (docs/forecast.md); the
# time they cost pays for the forest. The untransformed sets stay described: models recorded with them still read.
EN_FEATURE_SETS = ("all_transformed", "summary_transformed")
TRANSFORMED_SOURCES = frozenset(TRANSFORMED.values())

# The random forest (EWP's own earlier ensemble averaged two logistic regressions and a random forest). Its settings
# were set once, from common defaults and the time budget, before it was first backtested, and not changed since:
# 200 trees, each grown on a random 30% of the window's rows (under a second a fit, and less alike trees), sqrt(p)
# features tried at each split, leaves of at least 20 country-years (so that no leaf is one country's one onset year).
FOREST_TREES = 200
FOREST_MIN_LEAF = 20
FOREST_ROW_SHARE = 0.3


def feature_set_columns(columns: list[str], feature_set: str) -> list[int]:
    """Positions of the columns a feature set keeps (a missing flag goes with its feature)."""
    transformed = feature_set.endswith("_transformed")

    def keep(column: str) -> bool:
        base = column.removesuffix(MISSING_SUFFIX)
        if base in TRANSFORMED:
            return transformed
        if transformed and base in TRANSFORMED_SOURCES:
            return False
        if feature_set.startswith("summary"):
            return not base.startswith("framework_rf")
        return True

    return [position for position, column in enumerate(columns) if keep(column)]


@dataclass(frozen=True)
class Candidate:
    name: str
    algorithm: str
    penalty: float | None = None
    feature_set: str = "all"
    parts: tuple[Candidate, ...] = ()  # an "average" candidate: the members whose probabilities it averages
    label: int | None = None  # the horizon of the label it is fitted on; None: the horizon being forecast

    @property
    def members(self) -> tuple[Candidate, ...]:
        return self.parts or (self,)

    def build(self, seed: int):
        if self.algorithm == "elastic_net":
            return Pipeline(
                [
                    ("scale", StandardScaler()),
                    ("model", ElasticNetLogistic(C=self.penalty, l1_ratio=L1_RATIO, tol=EN_TOLERANCE)),
                ]
            )
        if self.algorithm == "random_forest":
            return RandomForestClassifier(
                n_estimators=FOREST_TREES,
                min_samples_leaf=FOREST_MIN_LEAF,
                max_features="sqrt",
                max_samples=FOREST_ROW_SHARE,
                n_jobs=1,
                random_state=seed,
            )
        return HistGradientBoostingClassifier(
            max_iter=60,
            learning_rate=0.1,
            max_depth=3,
            min_samples_leaf=40,
            l2_regularization=1.0,
            max_bins=32,
            early_stopping=False,
            random_state=seed,
        )


def _menu(label: int | None) -> tuple[Candidate, ...]:
    suffix = "" if label is None else f" label={label}y"
    return (
        *(
            Candidate(
                f"elastic_net C={penalty:g} features={feature_set}{suffix}",
                "elastic_net",
                penalty,
                feature_set,
                label=label,
            )
            for feature_set in EN_FEATURE_SETS
            for penalty in PENALTIES
        ),
        Candidate(f"gradient_boosting features=all{suffix}", "gradient_boosting", label=label),
        Candidate(f"random_forest features=all{suffix}", "random_forest", label=label),
    )


CANDIDATES = _menu(None)
WIDER_LABEL_CANDIDATES = _menu(WIDER_LABEL)


def average_candidate(parts: tuple[Candidate, ...]) -> Candidate:
    """The candidate that averages its parts' probabilities with equal weights."""
    return Candidate("average of " + " and ".join(part.name for part in parts), "average", parts=parts)


def year_block_folds(years: np.ndarray, n_folds: int = CV_FOLDS) -> list[tuple[np.ndarray, np.ndarray]]:
    """Cross-validation folds of consecutive years (the window's years cut into `n_folds` runs of about equal length).

    Neighbouring years share most of their features and, for the two-year horizon, an onset labels two consecutive
    rows: with years scattered over the folds a flexible model is scored on near-copies of its training rows, and
    cross-validation overrates it. Runs of years keep a year's neighbours in its own fold, except at a run's edges."""
    blocks = np.array_split(np.unique(years), min(n_folds, len(np.unique(years))))
    positions = np.arange(len(years))
    folds = []
    for block in blocks:
        inside = np.isin(years, block)
        folds.append((positions[~inside], positions[inside]))
    return folds


@dataclass(frozen=True)
class Labels:
    """One training window's labels: `target` (the label of `horizon`, the horizon forecast, every row), `wider` (the
    WIDER_LABEL label, NaN where it is not fully known before the forecast year; None when no wider-label candidate is
    offered) and each row's year."""

    target: np.ndarray
    years: np.ndarray
    wider: np.ndarray | None = None
    horizon: int = 1

    def fit_rows(self, candidate: Candidate, rows: np.ndarray, held_out: np.ndarray | None = None):
        """The rows among `rows` a candidate is fitted on and their labels. A wider-label candidate uses only rows with
        a known wider label. One rule for every label of more than one year (the two-year horizon's own candidates
        and the wider-label ones): in a cross-validation fold no row is fitted on whose label reads an outcome of a
        held-out year (the two-year label of T' reads T'+1: the year before a held-out run would otherwise teach its
        first onset)."""
        label = candidate.label or self.horizon
        if candidate.label is None:
            keep, values = rows, self.target
        elif self.wider is None:
            raise ValueError(f"{candidate.name} needs the {candidate.label}-year label, which was not given.")
        else:
            keep, values = rows[~np.isnan(self.wider[rows])], self.wider
        if held_out is not None and label > 1:
            read = np.unique(self.years[held_out])
            reads_held_out = np.zeros(len(keep), dtype=bool)
            for ahead in range(1, label):
                reads_held_out |= np.isin(self.years[keep] + ahead, read)
            keep = keep[~reads_held_out]
        return keep, values[keep].astype(int)

    def can_fit(self, candidate: Candidate) -> bool:
        """Whether the candidate's rows of the whole window hold both classes (a model cannot be fitted otherwise)."""
        _, values = self.fit_rows(candidate, np.arange(len(self.target)))
        return 0 < values.sum() < len(values)


def out_of_fold(candidates, matrix, labels: Labels, folds, seed, columns) -> dict[str, np.ndarray]:
    """Out-of-fold probabilities of every candidate. The elastic-net penalties of one fold, feature set and label are
    fitted as one path, weakest penalty last, each fit starting from the previous coefficients (same optimum, a
    fraction of the time). A fold whose fitting rows hold no onset forecasts their mean (zero) for its held-out rows."""
    result = {candidate.name: np.zeros(len(labels.target)) for candidate in candidates}
    paths: dict[tuple, list[Candidate]] = {}
    for candidate in candidates:
        if candidate.algorithm == "elastic_net":
            paths.setdefault((candidate.feature_set, candidate.label), []).append(candidate)
    others = [c for c in candidates if c.algorithm != "elastic_net"]
    for train, test in folds:
        for (feature_set, _label), path in paths.items():
            rows, target = labels.fit_rows(path[0], train, test)
            if target.sum() == 0:
                for candidate in path:
                    result[candidate.name][test] = target.mean() if len(target) else 0.0
                continue
            subset = feature_set_columns(columns, feature_set)
            scaler = StandardScaler().fit(matrix[rows][:, subset])
            scaled_train = scaler.transform(matrix[rows][:, subset])
            scaled_test = scaler.transform(matrix[test][:, subset])
            previous = None
            for candidate in sorted(path, key=lambda c: c.penalty):
                model = ElasticNetLogistic(C=candidate.penalty, l1_ratio=L1_RATIO, tol=EN_TOLERANCE)
                previous = model.share_path_from(previous).fit(scaled_train, target)
                result[candidate.name][test] = model.predict_proba(scaled_test)[:, 1]
        for candidate in others:
            rows, target = labels.fit_rows(candidate, train, test)
            if target.sum() == 0:
                result[candidate.name][test] = target.mean() if len(target) else 0.0
                continue
            subset = feature_set_columns(columns, candidate.feature_set)
            estimator = candidate.build(seed).fit(matrix[rows][:, subset], target)
            result[candidate.name][test] = estimator.predict_proba(matrix[test][:, subset])[:, 1]
    return result
