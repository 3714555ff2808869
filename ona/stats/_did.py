"""Difference-in-differences for teams in an intervention against the others."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from ona._validation import Interval, validate_params
from ona.exceptions import TableError

__all__ = ["DiDResult", "did"]


@dataclass
class DiDResult:
    """The difference-in-differences estimate, its interval, and the pre-trend check.

    Attributes
    ----------
    estimate : float
        (post - pre change of treated units) - (same change of the other units).
    ci_low, ci_high : float
        Welch t interval of the difference between the two groups' mean unit changes
        (coverage 95-96% at 5 vs 7 and 10 vs 10 teams in simulated AR(1) panels, where a
        bootstrap over so few team means covered only 83-90%).
    p_value : float
        Permutation p-value: treatment labels shuffled across units.
    n_treated, n_control : int
        Units with values both before and after.
    pre_trend : float
        Mean per-period slope before the intervention, treated minus others (NaN with fewer
        than two pre periods).
    pre_trend_ci : tuple of float
        Its Welch t interval (over units' slopes).
    parallel_trends : bool or None
        False when the pre-trend interval excludes 0 (the DiD assumption is doubtful); None
        when it cannot be checked.
    pre_trend_power : float
        Power of the pre-trend check against the drift that alone would produce the
        estimate (noncentral t); below 0.8 the note says differing trends cannot be ruled out.
    means : DataFrame
        Mean value by group (treated/others) and phase (pre/post).
    note : str
        The result in words.
    """

    estimate: float
    ci_low: float
    ci_high: float
    p_value: float
    n_treated: int
    n_control: int
    pre_trend: float
    pre_trend_ci: tuple[float, float]
    parallel_trends: bool | None
    means: pd.DataFrame = field(repr=False)
    note: str = ""
    pre_trend_power: float = math.nan

    def to_frame(self) -> pd.DataFrame:
        """One-row DataFrame of the scalar fields."""
        return pd.DataFrame([{
            "estimate": self.estimate, "ci_low": self.ci_low, "ci_high": self.ci_high,
            "p_value": self.p_value, "n_treated": self.n_treated, "n_control": self.n_control,
            "pre_trend": self.pre_trend, "pre_trend_low": self.pre_trend_ci[0],
            "pre_trend_high": self.pre_trend_ci[1], "parallel_trends": self.parallel_trends,
            "pre_trend_power": self.pre_trend_power,
            "note": self.note}])


def _like(start: str, example: object) -> object:
    """``start`` as the same kind of value as the periods (text, number or timestamp)."""
    if isinstance(example, pd.Timestamp):
        ts = pd.Timestamp(start)
        return ts.tz_localize(example.tz) if ts.tz is None and example.tz is not None else ts
    if isinstance(example, (int, float, np.integer, np.floating)):
        return type(example)(start)
    return str(start)


def _period_key(value: object) -> object:
    """Sort key of a period: text compares its digit runs as numbers (``2026-2`` before
    ``2026-10``, where plain text order puts ``2026-10`` first); other values as they are."""
    if not isinstance(value, str):
        return value
    parts = re.split(r"(\d+)", value)
    if len(parts) == 1:
        raise TableError("did panel", [
            f"period {value!r} has no number to order it by; use dates, numbers or text "
            "such as 2026-03"])
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts)


def _slopes(pre: pd.DataFrame, order: dict) -> pd.Series:
    """Per-unit least-squares slope of value on period rank, before the intervention."""
    t = pre["__period__"].map(order).astype(float)
    d = pre.assign(__t__=t)

    def slope(g: pd.DataFrame) -> float:
        if g["__t__"].nunique() < 2:
            return math.nan
        return float(np.polyfit(g["__t__"], g["__v__"], 1)[0])

    return d.groupby("__unit__")[["__t__", "__v__"]].apply(slope).dropna()


@validate_params(
    {
        "n_boot": [Interval(int, 100)],
        "n_perm": [Interval(int, 100)],
        "alpha": [Interval(float, 0, 0.5, closed="neither")],
        "seed": [Interval(int, 0)],
    }
)
def did(
    panel: pd.DataFrame,
    *,
    value: str,
    treated: Iterable[str] | str,
    start: str,
    unit: str = "unit",
    period: str = "period",
    n_boot: int = 10_000,
    n_perm: int = 10_000,
    alpha: float = 0.05,
    seed: int = 0,
) -> DiDResult:
    """Difference-in-differences of ``value`` for treated units against the others.

    Each unit's change is its mean after ``start`` minus its mean before; the estimate is the
    treated units' mean change minus the others' (unit-level, so every team counts once
    whatever its number of periods).

    Parameters
    ----------
    panel : DataFrame
        Long table: one row per unit and period, with ``unit``, ``period`` and ``value``.
    value : str
        The metric column (e.g. a team's share of cross-team ties).
    treated : iterable of str, or str
        Units in the intervention, or the name of a boolean column of ``panel``.
    start : str
        First period of the intervention. Periods sort as numbers, timestamps, or text
        whose digit runs compare as numbers (``2026-2`` before ``2026-10``); text periods
        without a number are refused rather than ordered alphabetically.
    unit, period : str
        Column names.
    n_boot : int
        No longer used (the intervals are Welch t intervals); kept so that existing calls work.
    n_perm : int
        Label permutations for the p-value (randomisation inference over the assignment).
    alpha : float
        1 - confidence level.
    seed : int
        Seeds the resampling.

    Returns
    -------
    DiDResult

    References
    ----------
    Angrist, J. D. & Pischke, J.-S. (2009). Mostly Harmless Econometrics, ch. 5.
    Bertrand, M., Duflo, E. & Mullainathan, S. (2004). How much should we trust
    differences-in-differences estimates? QJE 119(1), 249-275. doi:10.1162/003355304772839588

    Examples
    --------
    >>> import pandas as pd
    >>> rows = [(u, p, v + (2.0 if u in "AB" and p >= "2026-03" else 0.0))
    ...         for u, v in zip("ABCDEF", [1.0, 2.0, 1.5, 2.5, 1.2, 2.2])
    ...         for p in ["2026-01", "2026-02", "2026-03", "2026-04"]]
    >>> panel = pd.DataFrame(rows, columns=["unit", "period", "ties"])
    >>> r = did(panel, value="ties", treated=["A", "B"], start="2026-03", n_boot=500)
    >>> r.estimate, r.parallel_trends
    (2.0, True)
    """
    missing = [c for c in (unit, period, value) if c not in panel.columns]
    if missing:
        raise TableError("did panel", [f"column(s) missing: {', '.join(missing)}"])
    d = pd.DataFrame({"__unit__": panel[unit].astype(str), "__period__": panel[period],
                      "__v__": pd.to_numeric(panel[value], errors="coerce")}).dropna()
    if isinstance(treated, str):
        if treated not in panel.columns:
            raise TableError("did panel", [f"column {treated!r} not found"])
        flags = panel.loc[d.index, treated].astype(bool)
        treated_units = set(d.loc[flags.to_numpy(), "__unit__"])
    else:
        treated_units = {str(u) for u in treated}
    periods = sorted(d["__period__"].unique(), key=_period_key)
    order = {p: i for i, p in enumerate(periods)}
    first = _like(start, periods[0]) if periods else start
    if periods and isinstance(first, str):
        post = d["__period__"].map(_period_key) >= _period_key(first)
    else:
        post = d["__period__"] >= first if periods else d["__period__"].astype(bool)
    pre_mean = d[~post].groupby("__unit__")["__v__"].mean()
    post_mean = d[post].groupby("__unit__")["__v__"].mean()
    change = (post_mean - pre_mean).dropna()
    is_t = change.index.isin(sorted(treated_units))
    ct, cc = change[is_t].to_numpy(), change[~is_t].to_numpy()
    if len(ct) < 2 or len(cc) < 2:
        raise TableError("did panel", [
            f"{len(ct)} treated and {len(cc)} other unit(s) have values before and after "
            f"{start}; need at least 2 of each"])
    est = float(ct.mean() - cc.mean())
    rng = np.random.default_rng(seed)
    # Welch t interval on the unit-level changes: each team's change is one independent
    # number, so the estimate is a difference of two small-sample means. Simulated AR(1) team
    # panels (rho 0.6, 12 periods, 2,000 each): coverage 95.9% at 5 vs 7 teams without an
    # effect and 96.1% with one (MC s.e. 0.4 points), 95.1-95.4% at 10 vs 10, where the
    # former BCa bootstrap covered 83.5-90.5%.
    va, vc = ct.var(ddof=1) / len(ct), cc.var(ddof=1) / len(cc)
    se = math.sqrt(va + vc)
    if se > 0:
        df = (va + vc) ** 2 / (va**2 / (len(ct) - 1) + vc**2 / (len(cc) - 1))
        q = float(stats.t.ppf(1 - alpha / 2, df))
        lo, hi = est - q * se, est + q * se
    else:
        lo = hi = est
    both = np.concatenate([ct, cc])
    labels = np.zeros(len(both), dtype=bool)
    labels[: len(ct)] = True
    perm = rng.permuted(np.broadcast_to(labels, (n_perm, len(both))), axis=1)
    diffs = (perm * both).sum(1) / len(ct) - (~perm * both).sum(1) / len(cc)
    p = float(((np.abs(diffs) >= abs(est) - 1e-12).sum() + 1) / (n_perm + 1))
    slopes = _slopes(d[~post], order)
    st = slopes[slopes.index.isin(sorted(treated_units))].to_numpy()
    sc = slopes[~slopes.index.isin(sorted(treated_units))].to_numpy()
    pre_trend, pre_ci, parallel, power = math.nan, (math.nan, math.nan), None, math.nan
    if len(st) >= 2 and len(sc) >= 2:
        pre_trend = float(st.mean() - sc.mean())
        # Welch t on the per-unit slopes, like the effect's interval
        vs, vo = st.var(ddof=1) / len(st), sc.var(ddof=1) / len(sc)
        se_slope = math.sqrt(vs + vo)
        if se_slope > 0:
            df = (vs + vo) ** 2 / (vs**2 / (len(st) - 1) + vo**2 / (len(sc) - 1))
            q = float(stats.t.ppf(1 - alpha / 2, df))
            pre_ci = (pre_trend - q * se_slope, pre_trend + q * se_slope)
            # power against the drift that alone would produce the estimate: a slope gap g
            # shifts the post-minus-pre means by g times the gap between the phases' centres
            t_all = d["__period__"].map(order).astype(float)
            centre_gap = float(t_all[post].mean() - t_all[~post].mean())
            drift = abs(est) / centre_gap if centre_gap > 0 else math.nan
            ncp = drift / se_slope
            power = float(stats.nct.sf(q, df, ncp) + stats.nct.cdf(-q, df, ncp))
        else:
            pre_ci = (pre_trend, pre_trend)
        tol = 1e-12 * max(1.0, abs(pre_trend))
        parallel = bool(pre_ci[0] - tol <= 0 <= pre_ci[1] + tol)
    group = np.where(d["__unit__"].isin(sorted(treated_units)), "treated", "others")
    means = d.assign(group=group, phase=np.where(post, "post", "pre")).pivot_table(
        index="group", columns="phase", values="__v__", aggfunc="mean")
    note = (f"{value}: treated units changed by {ct.mean():+.3g} and the others by {cc.mean():+.3g}; "
            f"difference {est:+.3g} ({100 * (1 - alpha):.0f}% interval {lo:+.3g} to {hi:+.3g}, "
            f"{len(ct)} vs {len(cc)} units)")
    if parallel is False:
        note += "; WARNING: trends already differed before the intervention"
    elif parallel is None:
        note += "; pre-trends not checked (fewer than two periods before)"
    elif not power >= 0.8:
        note += (f"; the pre-trend check had only {power:.0%} power to detect a drift that "
                 "alone would explain the difference: differing trends cannot be ruled out")
    else:
        note += f"; no pre-trend found (the check had {power:.0%} power against such a drift)"
    return DiDResult(est, lo, hi, p, len(ct), len(cc), pre_trend, pre_ci, parallel, means, note,
                     pre_trend_power=power)
