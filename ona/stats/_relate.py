"""Relate unit metrics (team or person) to outcomes, honestly for small samples."""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ona._validation import Interval, Options, validate_params
from ona.exceptions import TableError
from ona.stats._ols import design_matrix, ols
from ona.stats._resample import (
    bca_for,
    benjamini_hochberg,
    detectable_r,
    holm,
    permutation_pvalue,
    rowwise_pearson,
    rowwise_rank,
)

__all__ = ["RELATE_COLUMNS", "relate"]

logger = logging.getLogger(__name__)

RELATE_COLUMNS = [
    "metric", "outcome", "method", "n", "estimate", "ci_low", "ci_high", "pct_low", "pct_high",
    "p_value", "p_adjusted", "detectable_r", "std_error_hc3", "p_value_hc3", "note",
]  # fmt: skip

# Below this many units the BCa interval's coverage is unreliable (Efron & Tibshirani 1993).
FEW_UNITS = 15
# Below this many units, print the detectable effect size in the note as well as the column.
SMALL_SAMPLE = 30
_SKIP = {"unit_type", "period"}


def _keyed(frame: pd.DataFrame, on: list[str], side: str, period: str | None) -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame):
        raise TableError(side, [f"expected a pandas DataFrame, got {type(frame).__name__}"])
    if not all(c in frame.columns for c in on):
        if frame.index.nlevels != len(on):
            raise TableError(side, [f"needs the key column(s) {on} or an index of {len(on)} level(s)"])
        frame = frame.rename_axis(on).reset_index()
    if period is not None and "period" in frame.columns and "period" not in on:
        frame = frame[frame["period"].astype(str) == str(period)]
    dup = frame.duplicated(on, keep=False)
    if dup.any():
        n_units = frame.loc[dup, on].drop_duplicates().shape[0]
        raise TableError(side, [
            f"{n_units} unit(s) appear in several rows; pass period=... to pick one period "
            "or on=['unit', 'period'] to relate period by period"])
    return frame.set_index(on)


def _numeric_columns(frame: pd.DataFrame, exclude: set[str]) -> list[str]:
    return [
        c for c in frame.columns
        if c not in exclude and pd.api.types.is_numeric_dtype(frame[c])
        and not pd.api.types.is_bool_dtype(frame[c])
    ]


def _check_units(m: pd.DataFrame, o: pd.DataFrame, missing: str) -> dict[str, list]:
    metrics_only = [u for u in m.index if u not in o.index]
    outcomes_only = [u for u in o.index if u not in m.index]
    if (metrics_only or outcomes_only) and missing == "error":
        # Counts only: unit names can be people.
        raise TableError("relate join", [
            f"{len(metrics_only)} unit(s) have metrics but no outcome and {len(outcomes_only)} "
            "unit(s) have an outcome but no metrics; fix the keys, or pass missing='drop' to "
            "relate the matched units (the unmatched ones are listed in result.attrs['unmatched'])"])
    if metrics_only or outcomes_only:
        logger.warning("relate: %d unit(s) without outcome and %d without metrics left out",
                       len(metrics_only), len(outcomes_only))
    return {"metrics_only": metrics_only, "outcomes_only": outcomes_only}


def _pair_statistic(x: np.ndarray, y: np.ndarray, controls: np.ndarray | None, spearman: bool):
    """Statistic on rows of unit indices: correlation, or standardised beta with controls."""
    if controls is None:
        if spearman:
            return lambda idx: rowwise_pearson(rowwise_rank(x[idx]), rowwise_rank(y[idx]))
        return lambda idx: rowwise_pearson(x[idx], y[idx])

    def beta(idx: np.ndarray) -> np.ndarray:
        xs, ys, cs = x[idx], y[idx], controls[idx]
        if spearman:
            xs, ys = rowwise_rank(xs), rowwise_rank(ys)
        design = np.concatenate([np.ones(xs.shape + (1,)), xs[..., None], cs], axis=-1)
        coef = np.einsum("bij,bj->bi", np.linalg.pinv(design), ys)
        with np.errstate(invalid="ignore", divide="ignore"):
            return coef[:, 1] * xs.std(axis=1, ddof=1) / ys.std(axis=1, ddof=1)

    return beta


def _freedman_lane(x, y, controls, spearman, *, n_perm, rng) -> tuple[float, int, bool]:
    """Permutation p-value for the metric's beta net of controls (Freedman & Lane 1983)."""
    if spearman:
        x, y = rowwise_rank(x), rowwise_rank(y)
    reduced = np.column_stack([np.ones(len(y)), controls])
    fitted = reduced @ np.linalg.lstsq(reduced, y, rcond=None)[0]
    resid = y - fitted
    full = np.column_stack([np.ones(len(y)), x, controls])
    proj = np.linalg.pinv(full)[1]  # row giving the metric's coefficient
    # Permute the reduced-model residuals, add back the fit, refit; the design stays fixed.
    return permutation_pvalue(
        np.zeros(len(y)), resid, n_perm=n_perm, rng=rng,
        statistic=lambda _x, r: (fitted + r) @ proj,
    )


@validate_params(
    {
        "method": [Options({"spearman", "pearson"})],
        "adjust": [Options({"holm", "bh", "maxt"})],
        "n_boot": [Interval(int, 100)],
        "n_perm": [Interval(int, 100)],
        "alpha": [Interval(float, 0, 0.5, closed="neither")],
        "missing": [Options({"error", "drop"})],
        "seed": [Interval(int, 0)],
        "period": [None, str],
    }
)
def relate(
    metrics: pd.DataFrame,
    outcomes: pd.DataFrame,
    *,
    on: str | Sequence[str] = "unit",
    period: str | None = None,
    metric_columns: Sequence[str] | None = None,
    outcome_columns: Sequence[str] | None = None,
    method: str = "spearman",
    controls: Sequence[str] | None = None,
    adjust: str = "holm",
    n_boot: int = 10_000,
    n_perm: int = 10_000,
    alpha: float = 0.05,
    missing: str = "error",
    seed: int = 0,
) -> pd.DataFrame:
    """Relate each metric to each outcome across units, with intervals that respect small n.

    Parameters
    ----------
    metrics : DataFrame
        One row per unit (a team table, or people), with the key in column(s) ``on`` or as
        the index; numeric columns are the metrics.
    outcomes : DataFrame
        An Outcomes table (``unit``, ``unit_type``, ``period``, numeric outcome columns) or any
        frame keyed like ``metrics``.
    on : str or sequence of str, default "unit"
        Join key(s). Use ``["unit", "period"]`` to pool unit-periods (then the units are not
        independent: prefer one period at a time).
    period : str, optional
        Keep only this period of either table (when it has a ``period`` column).
    metric_columns, outcome_columns : sequence of str, optional
        Default: every numeric column except keys and ``controls``.
    method : {'spearman', 'pearson'}
        Rank or linear correlation.
    controls : sequence of str, optional
        Columns (of ``metrics``, else ``outcomes``) to hold constant, e.g. ``["size",
        "department"]``; text columns become dummies. The estimate is then the metric's
        standardised beta in ``outcome ~ metric + controls``, with HC3 standard errors, a
        bootstrap interval and a Freedman–Lane permutation p-value.
    adjust : {'holm', 'bh', 'maxt'}
        Correction across all the metric × outcome tests in the result: Holm (family-wise),
        Benjamini–Hochberg (false discovery rate), or Westfall–Young single-step maxT
        (family-wise, exact under the metrics' correlation: the outcomes are permuted jointly
        across units and each |r| is compared with the largest |r| of every permutation;
        needs complete data and no controls).
    n_boot, n_perm : int
        Bootstrap resamples of units and random outcome permutations (up to 8 units every order
        is enumerated and the p-value is exact).
    alpha : float
        1 - confidence level of the intervals and test level of the detectable effect.
    missing : {'error', 'drop'}
        Units present on one side only raise a :class:`~ona.TableError` (default), or are left
        out and listed in ``result.attrs["unmatched"]``.
    seed : int
        Seeds every resampling step.

    Returns
    -------
    DataFrame
        One row per metric and outcome: ``metric``, ``outcome``, ``method``, ``n``,
        ``estimate``, ``ci_low``/``ci_high`` (BCa, resampling units), ``pct_low``/``pct_high``
        (percentile interval), ``p_value`` (permutation), ``p_adjusted``, ``detectable_r`` (the
        smallest |r|, or Spearman's |rho|, detectable with 80% power at ``alpha``), ``std_error_hc3``/``p_value_hc3``
        (with controls only), and ``note`` in words (small samples, unreliable coverage).

    Notes
    -----
    With n units, a two-sided test at .05 has 80% power only for |r| >= tanh(2.80/sqrt(n-3)):
    0.59 at n=20, 0.49 at 30, 0.28 at 100, while published team-network effects are
    r = 0.1-0.4 (Balkundi & Harrison 2006). A non-significant result with few teams is absence
    of evidence, not evidence of absence.

    References
    ----------
    Efron, B. (1987). doi:10.1080/01621459.1987.10478410 (BCa).
    Phipson, B. & Smyth, G. K. (2010). doi:10.2202/1544-6115.1585 (permutation p-values).
    Holm, S. (1979). Scand. J. Statist. 6(2), 65-70. Benjamini, Y. & Hochberg, Y. (1995).
    doi:10.1111/j.2517-6161.1995.tb02031.x
    Freedman, D. & Lane, D. (1983). doi:10.1080/07350015.1983.10509354

    Examples
    --------
    >>> import pandas as pd
    >>> teams = pd.DataFrame({"unit": list("ABCDEFGH"),
    ...                       "density": [.2, .3, .35, .4, .5, .55, .7, .8]})
    >>> perf = pd.DataFrame({"unit": list("ABCDEFGH"), "unit_type": "team", "period": "2026",
    ...                      "delivery": [1.0, 1.5, 1.2, 2.0, 2.4, 2.2, 3.1, 3.0]})
    >>> r = relate(teams, perf, n_boot=1000, seed=1)
    >>> r.loc[0, "metric"], r.loc[0, "outcome"], int(r.loc[0, "n"])
    ('density', 'delivery', 8)
    >>> round(float(r.loc[0, "estimate"]), 3), bool(r.loc[0, "p_value"] < 0.01)
    (0.929, True)
    >>> round(float(r.loc[0, "detectable_r"]), 2)   # 8 teams detect only very strong effects
    0.86
    """
    on = [on] if isinstance(on, str) else list(on)
    controls = list(controls or [])
    m = _keyed(metrics, on, "metrics", period)
    o = _keyed(outcomes, on, "outcomes", period)
    unmatched = _check_units(m, o, missing)
    units = m.index.intersection(o.index, sort=False)
    m, o = m.loc[units], o.loc[units]
    mcols = list(metric_columns) if metric_columns is not None else _numeric_columns(
        m, set(on) | set(controls) | _SKIP)
    ocols = list(outcome_columns) if outcome_columns is not None else _numeric_columns(
        o, set(on) | set(controls) | _SKIP)
    absent = [c for c in mcols if c not in m.columns] + [c for c in ocols if c not in o.columns]
    absent += [c for c in controls if c not in m.columns and c not in o.columns]
    if absent:
        raise TableError("relate", [f"column(s) not found: {', '.join(map(str, absent))}"])
    if not mcols or not ocols:
        raise TableError("relate", ["no numeric metric or outcome columns to relate"])
    ctrl_frame = pd.DataFrame({c: (m[c] if c in m.columns else o[c]) for c in controls},
                              index=units)
    ctrl = design_matrix(ctrl_frame, controls) if controls else None
    spearman = method == "spearman"
    rng = np.random.default_rng(seed)
    rows = []
    for oc in ocols:
        for mc in mcols:
            frame = pd.DataFrame({"x": pd.to_numeric(m[mc], errors="coerce"),
                                  "y": pd.to_numeric(o[oc], errors="coerce")}, index=units)
            if ctrl is not None:
                frame = frame.join(ctrl)
            frame = frame.dropna()
            rows.append(_one(frame, mc, oc, method, spearman, ctrl, n_boot, n_perm, alpha, rng))
    out = pd.DataFrame(rows, columns=RELATE_COLUMNS)
    p = out["p_value"].to_numpy(dtype=float)
    if adjust == "maxt":
        out["p_adjusted"] = _maxt(m, o, mcols, ocols, controls, spearman, n_perm, rng)
    else:
        out["p_adjusted"] = holm(p) if adjust == "holm" else benjamini_hochberg(p)
    out.attrs.update(unmatched=unmatched, adjust=adjust, alpha=alpha, seed=seed,
                     n_boot=n_boot, n_perm=n_perm, controls=controls, on=on, period=period)
    return out


def _maxt(m, o, mcols, ocols, controls, spearman, n_perm, rng) -> np.ndarray:
    """Westfall–Young single-step maxT adjusted p-values, in the result's row order."""
    x = m[mcols].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    y = o[ocols].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    if controls or np.isnan(x).any() or np.isnan(y).any():
        raise TableError("relate", [
            "adjust='maxt' permutes all outcomes jointly: it needs complete data and no "
            "controls; use adjust='holm' otherwise"])
    if spearman:
        x, y = rowwise_rank(x.T).T, rowwise_rank(y.T).T

    def z(a):
        sd = a.std(axis=0, ddof=1)
        return (a - a.mean(axis=0)) / np.where(sd > 0, sd, np.nan)

    xz, yz = z(x), z(y)
    n = len(xz)
    observed = np.abs(xz.T @ yz / (n - 1))  # metrics x outcomes
    maxima = np.empty(n_perm)
    for b in range(n_perm):
        perm = yz[rng.permutation(n)]
        maxima[b] = np.nanmax(np.abs(xz.T @ perm / (n - 1)))
    tol = 1e-12
    adj = ((maxima[None, None, :] >= observed[..., None] - tol).sum(-1) + 1) / (n_perm + 1)
    # rows of the result: for each outcome, every metric
    return adj.T.ravel()


def _one(frame, mc, oc, method, spearman, ctrl, n_boot, n_perm, alpha, rng) -> dict:
    n = len(frame)
    x, y = frame["x"].to_numpy(), frame["y"].to_numpy()
    cvals = frame[list(ctrl.columns)].to_numpy() if ctrl is not None else None
    row = dict.fromkeys(RELATE_COLUMNS, math.nan)
    row.update(metric=mc, outcome=oc, method=method, n=n, note="")
    k = 2 + (cvals.shape[1] if cvals is not None else 0)
    if n < max(4, k + 2) or np.ptp(x) == 0 or np.ptp(y) == 0:
        row["note"] = f"not estimated: {n} unit(s) with values, or no variation"
        return row
    stat = _pair_statistic(x, y, cvals, spearman)
    est, lo, hi, plo, phi, valid = bca_for(n, stat, n_boot=n_boot, alpha=alpha, rng=rng)
    if cvals is None:
        xs, ys = (rowwise_rank(x), rowwise_rank(y)) if spearman else (x, y)
        p, _, exact = permutation_pvalue(xs, ys, n_perm=n_perm, rng=rng)
    else:
        p, _, exact = _freedman_lane(x, y, cvals, spearman, n_perm=n_perm, rng=rng)
        data = frame.rename(columns={"x": mc, "y": "__outcome__"})
        if spearman:
            data[mc], data["__outcome__"] = rowwise_rank(x), rowwise_rank(y)
        fit = ols(data, "__outcome__", [mc, *ctrl.columns], standardize=True)
        row.update(std_error_hc3=fit.loc[mc, "std_error"], p_value_hc3=fit.loc[mc, "p_value"])
    dr = detectable_r(n, alpha=alpha, method=method)
    notes = []
    if cvals is not None:
        notes.append("standardised beta net of " + ", ".join(ctrl.columns))
    if n < SMALL_SAMPLE:
        notes.append(f"with {n} units only |r| >= {dr:.2f} is detectable with 80% power")
    if n < FEW_UNITS:
        notes.append(f"fewer than {FEW_UNITS} units: BCa coverage is unreliable, compare the "
                     "percentile interval")
    if valid < n_boot:
        notes.append(f"{n_boot - valid} degenerate resample(s) left out")
    if exact:
        notes.append("exact permutation p-value")
    row.update(estimate=est, ci_low=lo, ci_high=hi, pct_low=plo, pct_high=phi, p_value=p,
               detectable_r=dr, note="; ".join(notes))
    return row
