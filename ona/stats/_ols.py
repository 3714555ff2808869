"""Ordinary least squares with heteroskedasticity-robust (HC3) standard errors."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ona._validation import Interval, Options, validate_params
from ona.exceptions import TableError

__all__ = ["design_matrix", "ols"]


def design_matrix(data: pd.DataFrame, terms: Sequence[str]) -> pd.DataFrame:
    """Numeric columns as they are; text or categorical columns as 0/1 dummies (first level dropped).

    Examples
    --------
    >>> d = pd.DataFrame({"size": [3, 5, 8], "department": ["a", "b", "b"]})
    >>> list(design_matrix(d, ["size", "department"]).columns)
    ['size', 'department[b]']
    """
    parts = []
    for term in terms:
        col = data[term]
        if pd.api.types.is_bool_dtype(col) or pd.api.types.is_numeric_dtype(col):
            parts.append(col.astype("float64").rename(term))
        else:
            levels = sorted(col.dropna().astype(str).unique())
            for level in levels[1:]:
                dummy = (col.astype(str) == level).astype("float64").where(col.notna())
                parts.append(dummy.rename(f"{term}[{level}]"))
    if not parts:
        return pd.DataFrame(index=data.index)
    return pd.concat(parts, axis=1)


def _fit(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Coefficients, residuals and (X'X)^-1 by least squares."""
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    resid = y - X @ beta
    xtx_inv = np.linalg.pinv(X.T @ X)
    return beta, resid, xtx_inv


@validate_params(
    {
        "cov": [Options({"HC3", "HC0", "classical"})],
        "alpha": [Interval(float, 0, 1, closed="neither")],
        "standardize": [bool],
    }
)
def ols(
    data: pd.DataFrame,
    y: str,
    x: Sequence[str],
    *,
    cov: str = "HC3",
    alpha: float = 0.05,
    standardize: bool = False,
) -> pd.DataFrame:
    """Fit ``y ~ 1 + x`` by OLS and return one row per term with robust standard errors.

    Parameters
    ----------
    data : DataFrame
        One row per unit (team); rows with a missing value in ``y`` or ``x`` are dropped.
    y : str
        Outcome column.
    x : sequence of str
        Predictors and controls (e.g. a metric, team size, department). Text columns become
        dummies with the first level as the reference.
    cov : {'HC3', 'HC0', 'classical'}
        HC3 (MacKinnon & White 1985) is the default: it behaves best with few units.
    alpha : float
        For the ``ci_low``/``ci_high`` interval (t distribution with n - p df).
    standardize : bool
        Z-score ``y`` and the numeric predictors first, so estimates are standardised betas.

    Returns
    -------
    DataFrame
        Indexed by term (``Intercept`` first): ``estimate``, ``std_error``, ``t``, ``p_value``,
        ``ci_low``, ``ci_high``. ``attrs``: ``n``, ``df_resid``, ``r2``, ``cov``.

    References
    ----------
    MacKinnon, J. G. & White, H. (1985). Some heteroskedasticity-consistent covariance matrix
    estimators with improved finite sample properties. J. Econometrics 29(3), 305-325.
    doi:10.1016/0304-4076(85)90158-7

    Examples
    --------
    >>> d = pd.DataFrame({"y": [1.0, 3, 2, 5, 4], "x": [1.0, 2, 3, 4, 5]})
    >>> round(float(ols(d, "y", ["x"]).loc["x", "estimate"]), 6)
    0.8
    """
    X = design_matrix(data, list(x))
    frame = pd.concat([data[y].astype("float64").rename("__y__"), X], axis=1).dropna()
    n, k = len(frame), X.shape[1] + 1
    if n <= k:
        raise TableError("ols", [f"{n} complete row(s) for {k} coefficient(s): too few units"])
    yv = frame["__y__"].to_numpy()
    Xv = frame[list(X.columns)].to_numpy()
    if standardize:
        yv = (yv - yv.mean()) / yv.std(ddof=1)
        numeric = [i for i, c in enumerate(X.columns) if "[" not in c]
        sd = Xv[:, numeric].std(axis=0, ddof=1)
        Xv[:, numeric] = (Xv[:, numeric] - Xv[:, numeric].mean(axis=0)) / np.where(sd > 0, sd, 1)
    design = np.column_stack([np.ones(n), Xv])
    beta, resid, xtx_inv = _fit(design, yv)
    df_resid = n - k
    if cov == "classical":
        vcov = xtx_inv * (resid @ resid) / df_resid
    else:
        weight = resid**2
        if cov == "HC3":
            leverage = np.einsum("ij,jk,ik->i", design, xtx_inv, design)
            weight = weight / np.clip(1 - leverage, 1e-12, None) ** 2
        vcov = xtx_inv @ (design.T * weight) @ design @ xtx_inv
    se = np.sqrt(np.clip(np.diag(vcov), 0, None))
    with np.errstate(invalid="ignore", divide="ignore"):
        t = beta / se
    p = 2 * stats.t.sf(np.abs(t), df_resid)
    q = stats.t.ppf(1 - alpha / 2, df_resid)
    ss_tot = ((yv - yv.mean()) ** 2).sum()
    out = pd.DataFrame(
        {"estimate": beta, "std_error": se, "t": t, "p_value": p,
         "ci_low": beta - q * se, "ci_high": beta + q * se},
        index=pd.Index(["Intercept", *X.columns], name="term"),
    )
    out.attrs.update(n=n, df_resid=df_resid, cov=cov,
                     r2=float(1 - (resid @ resid) / ss_tot) if ss_tot > 0 else float("nan"))
    return out
