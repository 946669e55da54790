"""The forecast model (pure): cross-validated elastic-net logistic regression, gradient boosting or random forest, or
the average of the three, Platt-calibrated.

Inside one training window (only years before the forecast year):
1. the missing-value policy is fitted (features.MissingValuePolicy);
2. each candidate of candidates.py (elastic-net logistic regression, elastic_net.py, at every penalty C of
   `PENALTIES` with l1_ratio 0.5 as EWP's glmnet alpha 0.5, on each of the `EN_FEATURE_SETS`; one gradient-boosting
   and one random-forest configuration, and the average of the best of each) is scored by `CV_FOLDS`-fold
   cross-validation on runs of consecutive years (`year_block_folds`), on the log loss of its out-of-fold
   probabilities after Platt scaling fitted on the other folds' (`calibrated_log_loss`, `CV_SCORE`: candidates are
   compared as they would be published, calibrated);
   for the one-year horizon every elastic net and both tree ensembles are also offered fitted on the two-year label
   (candidates.WIDER_LABEL_CANDIDATES, unless their rows hold one class only), scored like the rest on the one-year
   label's Platt-scaled out-of-fold log loss;
3. the best candidate is refitted on the whole window, and a one-variable logistic regression of the outcome on the
   logit of its out-of-fold probabilities (Platt scaling) calibrates it.
Nothing is chosen by looking at the forecast year or any later year. Every random choice is seeded.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import average_precision_score, brier_score_loss, log_loss, roc_auc_score
from threadpoolctl import threadpool_limits

from forecasts.candidates import (  # noqa: F401 (re-exported: the menu is part of the model's interface)
    CANDIDATES,
    FEATURE_SETS,
    L1_RATIO,
    PENALTIES,
    WIDER_LABEL_CANDIDATES,
    Candidate,
    Labels,
    average_candidate,
    feature_set_columns,
    out_of_fold,
    year_block_folds,
)
from forecasts.features import MISSING_SUFFIX, MissingValuePolicy

EPSILON = 1e-6
PLATT_C = 1e6  # Platt scaling's slope penalty, as scikit-learn's LogisticRegression(C=1e6): practically none
PLATT_MAX_ITER = 100
CV_SCORE = "Platt-scaled out-of-fold log loss"
TOP_N = 30
DRIVERS_SHOWN = 5
CALIBRATION_EDGES = (0.0, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 1.0)
LIBRARY_VERSIONS = {"scikit-learn": sklearn.__version__, "numpy": np.__version__, "pandas": pd.__version__}


def _logit(probability: np.ndarray) -> np.ndarray:
    clipped = np.clip(probability, EPSILON, 1 - EPSILON)
    return np.log(clipped / (1 - clipped))


@dataclass
class FittedModel:
    """One horizon's fitted model: policy, estimators (one per member of the candidate), calibration and how it was
    chosen."""

    horizon: int
    policy: MissingValuePolicy
    candidate: Candidate
    estimators: tuple
    calibration: tuple[float, float]
    cv_log_loss: dict
    training_rows: int
    training_onsets: int
    training_years: tuple[int, int]
    summary: dict = field(default_factory=dict)
    member_fits: tuple[dict, ...] = ()  # per member: the label, rows, positives and last year it was refitted on

    def member_columns(self, member: Candidate) -> list[str]:
        columns = self.policy.output_columns
        return [columns[position] for position in feature_set_columns(columns, member.feature_set)]

    @property
    def used_columns(self) -> list[str]:
        used = {column for member in self.candidate.members for column in self.member_columns(member)}
        return [column for column in self.policy.output_columns if column in used]

    def raw_probability(self, features: pd.DataFrame) -> np.ndarray:
        transformed = self.policy.transform(features)
        probabilities = [
            estimator.predict_proba(transformed[self.member_columns(member)].to_numpy(dtype=float))[:, 1]
            for member, estimator in zip(self.candidate.members, self.estimators, strict=True)
        ]
        return np.mean(probabilities, axis=0)

    def probability(self, features: pd.DataFrame) -> np.ndarray:
        return platt_apply(self.calibration, _logit(self.raw_probability(features)))

    def drivers(self, features: pd.DataFrame, labels: dict[str, str] | None = None) -> list[list[dict]]:
        """Per row, the features that move its probability most: each feature (with its missing flag) in turn set to
        the training median; the change it undoes is its contribution (+ raises the risk, - lowers it)."""
        labels = labels or {}
        base = self.probability(features)
        columns = list(self.policy.columns)
        stacked = []
        for column in columns:
            changed = features.copy()
            changed[column] = self.policy.fill[column]
            stacked.append(changed)
        if not columns or features.empty:
            return [[] for _ in range(len(features))]
        moved = self.probability(pd.concat(stacked, ignore_index=True)).reshape(len(columns), len(features))
        contributions = base[None, :] - moved
        result = []
        for row in range(len(features)):
            order = np.argsort(-np.abs(contributions[:, row]), kind="stable")[:DRIVERS_SHOWN]
            entries = []
            for position in order:
                effect = float(contributions[position, row])
                if abs(effect) < 1e-5:
                    continue
                column = columns[position]
                value = features.iloc[row][column] if column in features.columns else np.nan
                entries.append(
                    {
                        "feature": column,
                        "label": labels.get(column, column),
                        "value": None if pd.isna(value) else float(value),
                        "effect": effect,
                        "direction": "raises" if effect > 0 else "lowers",
                    }
                )
            result.append(entries)
        return result

    def describe(self) -> dict:
        """Coefficients (elastic net, per standardised feature) and importances (the tree members' shares of splits,
        averaged over the boosted model and the forest when both are members), for the record."""
        described = {
            "algorithm": self.candidate.algorithm,
            "chosen": self.candidate.name,
            "penalty_C": None,
            "l1_ratio": L1_RATIO if any(m.algorithm == "elastic_net" for m in self.candidate.members) else None,
            "cv_score": CV_SCORE,
            "cv_log_loss": self.cv_log_loss,
            "calibration": {"slope": self.calibration[0], "intercept": self.calibration[1]},
            "training_rows": self.training_rows,
            "training_onsets": self.training_onsets,
            "training_years": list(self.training_years),
            "feature_set": self.candidate.feature_set,
            "fitted_on_label": {m.name: f"onset_{m.label or self.horizon}y" for m in self.candidate.members},
            "members": [dict(fit) for fit in self.member_fits],
            "features_used": self.used_columns,
            "fill_values": self.policy.fill,
        }
        tree_shares = []
        for member, estimator in zip(self.candidate.members, self.estimators, strict=True):
            columns = self.member_columns(member)
            if member.algorithm == "elastic_net":
                model = estimator.named_steps["model"]
                described["penalty_C"] = member.penalty
                described["intercept"] = float(model.intercept_[0])
                described["coefficients"] = {
                    name: float(value) for name, value in zip(columns, model.coef_[0], strict=True)
                }
            else:
                tree_shares.append(_split_importances(estimator, columns))
        if tree_shares:
            names = sorted({name for shares in tree_shares for name in shares})
            described["importances"] = {
                name: sum(shares.get(name, 0.0) for shares in tree_shares) / len(tree_shares) for name in names
            }
        return described


def _split_importances(estimator, columns: list[str]) -> dict[str, float]:
    """How often each feature splits a tree of the boosted model or the forest, as a share of all splits."""
    counts = np.zeros(len(columns))
    if hasattr(estimator, "estimators_"):  # a random forest: scikit-learn trees, leaves marked by feature -2
        for tree in estimator.estimators_:
            split = tree.tree_.feature[tree.tree_.feature >= 0]
            counts += np.bincount(split, minlength=len(columns))
    else:
        for trees in estimator._predictors:
            for tree in trees:
                nodes = tree.nodes
                for feature in nodes["feature_idx"][~nodes["is_leaf"].astype(bool)]:
                    counts[int(feature)] += 1
    total = counts.sum() or 1.0
    return {name: float(count / total) for name, count in zip(columns, counts, strict=True) if count}


def model_fit(
    features: pd.DataFrame,
    outcome: pd.Series,
    years: pd.Series,
    *,
    horizon: int,
    seed: int = 0,
    candidates: tuple[Candidate, ...] | None = None,
    averaging: bool = True,
    wider_outcome: pd.Series | None = None,
) -> FittedModel:
    """Choose, fit and calibrate one horizon's model on one training window (features already dated T'-1).

    `wider_outcome` (aligned with `outcome`; NaN where not known before the forecast year, see
    features.wider_labels) adds the WIDER_LABEL_CANDIDATES to the default menu: fitted on it, scored and calibrated
    on `outcome` like every other candidate."""
    if candidates is None:
        candidates = CANDIDATES + (WIDER_LABEL_CANDIDATES if wider_outcome is not None else ())
    policy = MissingValuePolicy.fit(features)
    matrix = policy.transform(features).to_numpy(dtype=float)
    target = outcome.to_numpy(dtype=int)
    groups = years.to_numpy()
    wider = None if wider_outcome is None else wider_outcome.to_numpy(dtype=float)
    labels = Labels(target=target, years=groups, wider=wider, horizon=horizon)
    # A wider-label candidate whose rows hold one class only could not be refitted: it is not offered.
    candidates = tuple(c for c in candidates if c.label is None or labels.can_fit(c))
    if not candidates:
        raise ValueError("No candidate can be fitted: every one's label has a single class in this window.")
    folds = year_block_folds(groups)
    with warnings.catch_warnings(), threadpool_limits(limits=1):
        warnings.simplefilter("ignore", ConvergenceWarning)
        forecasts = out_of_fold(candidates, matrix, labels, folds, seed, policy.output_columns)
        scores = {name: calibrated_log_loss(target, probability, folds) for name, probability in forecasts.items()}
        blend = _blend(candidates, scores) if averaging else None
        if blend is not None:
            forecasts[blend.name] = np.mean([forecasts[part.name] for part in blend.parts], axis=0)
            scores[blend.name] = calibrated_log_loss(target, forecasts[blend.name], folds)
        chosen_name = min(scores, key=scores.__getitem__)
        chosen = blend if blend is not None and chosen_name == blend.name else _named(candidates, chosen_name)
        columns = policy.output_columns
        fits = [_fit_member(member, matrix, labels, columns, seed) for member in chosen.members]
    slope, intercept = platt_fit(_logit(forecasts[chosen.name]), target)
    return FittedModel(
        horizon=horizon,
        policy=policy,
        candidate=chosen,
        estimators=tuple(estimator for estimator, _ in fits),
        calibration=(slope, intercept),
        cv_log_loss=scores,
        training_rows=len(target),
        training_onsets=int(target.sum()),
        training_years=(int(groups.min()), int(groups.max())),
        member_fits=tuple(fit for _, fit in fits),
    )


def _fit_member(member: Candidate, matrix: np.ndarray, labels: Labels, columns: list[str], seed: int):
    """One member refitted on the whole window (on the rows and label it is fitted on), and what it was fitted on."""
    rows, target = labels.fit_rows(member, np.arange(len(labels.target)))
    estimator = member.build(seed).fit(matrix[rows][:, feature_set_columns(columns, member.feature_set)], target)
    fit = {
        "name": member.name,
        "label": f"onset_{member.label or labels.horizon}y",
        "rows": len(rows),
        "positives": int(target.sum()),
        "last_year": int(labels.years[rows].max()),
    }
    return estimator, fit


def calibrated_log_loss(target: np.ndarray, probability: np.ndarray, folds) -> float:
    """The log loss of out-of-fold probabilities once Platt-scaled as the chosen model will be, each fold's scaling
    fitted on the other folds' forecasts. Candidates are compared as they would be published: a model fitted on the
    two-year label forecasts about twice the one-year rate, and boosted trees have their own scale, so raw log loss
    would rank their scale rather than how well they tell risky country-years from safe ones.

    Not fully out of sample: the other folds' forecasts came from models that were trained on this fold's rows among
    others, so the scaling of a fold has seen that fold through them (a nested cross-validation would avoid it at
    about four times the fits). It favours no kind of candidate that we know of, and the scores only rank candidates;
    the backtest, fitted on earlier years only, is what measures the forecast.
    Where a fold's scaling cannot be fitted (the other folds hold no onset, or the forecasts there are all equal), the
    fold is forecast the other folds' onset rate, as a scaling with no slope would: never its raw forecasts, which
    would score a candidate's scale again. That rate is the same for every candidate, so such a fold ranks none."""
    logits = _logit(probability)
    calibrated = np.empty(len(target), dtype=float)
    for train, test in folds:
        if 0 < target[train].sum() < len(train) and np.ptp(logits[train]) > 0:
            slope, intercept = platt_fit(logits[train], target[train])
            calibrated[test] = platt_apply((slope, intercept), logits[test])
        else:
            calibrated[test] = target[train].mean() if len(train) else 0.0
    return _log_loss(target, calibrated)


def platt_fit(logits: np.ndarray, target: np.ndarray) -> tuple[float, float]:
    """Platt scaling: the slope and intercept of a logistic regression of the outcome on the logits, with the slope's
    ridge penalty of scikit-learn's LogisticRegression(C=PLATT_C) (the objective it minimises), solved by Newton's
    method with step halving. The same optimum as scikit-learn's solver at a tenth of its time (a few hundred of these
    fits are made in each window); tests/forecasts/test_modelling.py checks the two agree."""
    x = np.asarray(logits, dtype=float)
    y = np.asarray(target, dtype=float)
    share = np.clip(y.mean(), EPSILON, 1 - EPSILON)
    theta = np.array([0.0, math.log(share / (1 - share))])

    def objective(point: np.ndarray) -> float:
        z = point[0] * x + point[1]
        return float(np.sum(np.logaddexp(0.0, z) - y * z) + point[0] ** 2 / (2 * PLATT_C))

    current = objective(theta)
    for _ in range(PLATT_MAX_ITER):
        probability = platt_apply(theta, x)
        residual = probability - y
        weight = probability * (1 - probability)
        gradient = np.array([residual @ x + theta[0] / PLATT_C, residual.sum()])
        hessian = np.array([[weight @ (x * x) + 1 / PLATT_C, weight @ x], [weight @ x, weight.sum() + 1e-12]])
        step = np.linalg.solve(hessian, gradient)
        scale = 1.0
        while scale > 1e-10 and objective(theta - scale * step) > current:
            scale /= 2
        theta = theta - scale * step
        current = objective(theta)
        if np.max(np.abs(scale * step)) < 1e-10:
            break
    return float(theta[0]), float(theta[1])


def platt_apply(calibration, logits: np.ndarray) -> np.ndarray:
    """The calibrated probability of each logit under a Platt scaling's (slope, intercept)."""
    slope, intercept = calibration
    return 1 / (1 + np.exp(-(slope * logits + intercept)))


def _log_loss(target: np.ndarray, probability: np.ndarray) -> float:
    return float(log_loss(target, np.clip(probability, EPSILON, 1 - EPSILON), labels=[0, 1]))


def _named(candidates: tuple[Candidate, ...], name: str) -> Candidate:
    return next(candidate for candidate in candidates if candidate.name == name)


BLENDED_ALGORITHMS = ("elastic_net", "gradient_boosting", "random_forest")


def _blend(candidates: tuple[Candidate, ...], scores: dict[str, float]) -> Candidate | None:
    """The average of the best candidate of each algorithm by cross-validated log loss (the best elastic net, the best
    gradient boosting, the best random forest; None when fewer than two algorithms are offered). Every member keeps the
    settings cross-validation chose for it."""
    parts = []
    for algorithm in BLENDED_ALGORITHMS:
        own = [candidate for candidate in candidates if candidate.algorithm == algorithm]
        if own:
            parts.append(min(own, key=lambda candidate: (scores[candidate.name], candidate.name)))
    return average_candidate(tuple(parts)) if len(parts) > 1 else None


def ranks(probabilities: np.ndarray, keys: list[str]) -> np.ndarray:
    """1 = highest probability; ties broken by the key (ISO-3), so ranks are deterministic."""
    order = sorted(range(len(keys)), key=lambda index: (-probabilities[index], keys[index]))
    result = np.empty(len(keys), dtype=int)
    for rank, index in enumerate(order, start=1):
        result[index] = rank
    return result


def metrics(outcome: np.ndarray, score: np.ndarray, rank: np.ndarray | None = None, *, probability: bool = True):
    """ROC AUC, average precision, Brier score (probabilities only) and onsets ranked in their year's top 30."""
    outcome = np.asarray(outcome, dtype=int)
    score = np.asarray(score, dtype=float)
    result = {"rows": int(len(outcome)), "onsets": int(outcome.sum())}
    both = 0 < outcome.sum() < len(outcome)
    result["roc_auc"] = float(roc_auc_score(outcome, score)) if both else None
    result["average_precision"] = float(average_precision_score(outcome, score)) if both else None
    result["brier"] = float(brier_score_loss(outcome, score)) if probability and len(outcome) else None
    if rank is not None:
        result["top_hits"] = int(((np.asarray(rank) <= TOP_N) & (outcome == 1)).sum())
    return result


def calibration_bins(outcome: np.ndarray, probability: np.ndarray) -> list[dict]:
    """Backtest rows grouped by forecast probability: mean forecast against the share that had an onset."""
    bins = []
    outcome = np.asarray(outcome, dtype=float)
    probability = np.asarray(probability, dtype=float)
    for low, high in zip(CALIBRATION_EDGES[:-1], CALIBRATION_EDGES[1:], strict=True):
        inside = (probability >= low) & ((probability < high) | (high == CALIBRATION_EDGES[-1]))
        count = int(inside.sum())
        events = int(outcome[inside].sum()) if count else 0
        bins.append(
            {
                "low": low,
                "high": high,
                "rows": count,
                "onsets": events,
                "mean_forecast": float(probability[inside].mean()) if count else None,
                "observed": events / count if count else None,
                "interval": list(wilson_interval(events, count)) if count else None,
            }
        )
    return bins


def wilson_interval(events: int, trials: int, z: float = 1.96) -> tuple[float, float]:
    if trials == 0:
        return (0.0, 1.0)
    share = events / trials
    centre = (share + z * z / (2 * trials)) / (1 + z * z / trials)
    half = z * math.sqrt(share * (1 - share) / trials + z * z / (4 * trials * trials)) / (1 + z * z / trials)
    return (max(0.0, centre - half), min(1.0, centre + half))


def is_missing_flag(column: str) -> bool:
    return column.endswith(MISSING_SUFFIX)
