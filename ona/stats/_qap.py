"""QAP correlation and MRQAP regression (Dekker's double semi-partialling) for dyadic questions."""

from __future__ import annotations

from collections.abc import Sequence

import networkx as nx
import numpy as np
import pandas as pd

from ona._validation import Interval, Options, validate_params
from ona.exceptions import TableError

__all__ = ["mrqap", "qap_correlation", "to_matrices"]


def _as_frame(m, nodes: pd.Index | None) -> pd.DataFrame | np.ndarray:
    if isinstance(m, pd.DataFrame):
        return m
    if isinstance(m, np.ndarray):
        return m
    if isinstance(m, (nx.Graph, nx.DiGraph)):
        order = list(nodes) if nodes is not None else sorted(m.nodes)
        a = nx.to_numpy_array(m, nodelist=order, weight="weight")
        return pd.DataFrame(a, index=order, columns=order)
    if hasattr(m, "adj") and hasattr(m, "nodes"):  # ona.graph.CompactGraph
        a = np.asarray(m.adj.toarray(), dtype=float)
        return pd.DataFrame(a, index=m.nodes, columns=m.nodes)
    raise TableError("qap", [f"cannot read a {type(m).__name__} as an adjacency matrix"])


def to_matrices(*items) -> tuple[list[np.ndarray], pd.Index | None]:
    """Square float matrices on one node order.

    numpy arrays are taken as already aligned; graphs and labelled DataFrames are aligned on the
    union of their node labels (sorted), absent nodes counting as isolates.
    """
    labelled = [m for m in items if not isinstance(m, np.ndarray)]
    nodes = None
    if labelled:
        names: set = set()
        for m in labelled:
            if isinstance(m, (nx.Graph, nx.DiGraph)):
                names.update(m.nodes)
            elif isinstance(m, pd.DataFrame):
                names.update(m.index)
                names.update(m.columns)
            elif hasattr(m, "nodes"):
                names.update(m.nodes)
        nodes = pd.Index(sorted(names, key=str))
    out = []
    for m in items:
        f = _as_frame(m, nodes)
        if isinstance(f, pd.DataFrame):
            f = f.reindex(index=nodes, columns=nodes, fill_value=0.0).to_numpy(dtype=float)
        a = np.asarray(f, dtype=float)
        if a.ndim != 2 or a.shape[0] != a.shape[1]:
            raise TableError("qap", [f"adjacency matrices must be square, got shape {a.shape}"])
        out.append(a)
    sizes = {a.shape[0] for a in out}
    if len(sizes) != 1:
        raise TableError("qap", [f"matrices have different sizes {sorted(sizes)}"])
    if not all(np.isfinite(a).all() for a in out):
        raise TableError("qap", ["matrices contain missing or infinite values"])
    return out, nodes


def _cells(n: int, diagonal: bool) -> tuple[np.ndarray, np.ndarray]:
    rows, cols = np.indices((n, n))
    mask = np.ones((n, n), dtype=bool) if diagonal else ~np.eye(n, dtype=bool)
    return rows[mask], cols[mask]


def _corr(a: np.ndarray, b: np.ndarray) -> float:
    a = a - a.mean()
    b = b - b.mean()
    den = np.sqrt((a @ a) * (b @ b))
    return float(a @ b / den) if den > 0 else float("nan")


def _pvalues(observed: float, null: np.ndarray, n_perm: int) -> tuple[float, float, float]:
    # (b + 1)/(m + 1): the observed labelling counts as one permutation (Phipson & Smyth 2010).
    tol = 1e-12 * max(1.0, abs(observed))
    greater = ((null >= observed - tol).sum() + 1) / (n_perm + 1)
    less = ((null <= observed + tol).sum() + 1) / (n_perm + 1)
    two = ((np.abs(null) >= abs(observed) - tol).sum() + 1) / (n_perm + 1)
    return float(two), float(greater), float(less)


@validate_params(
    {"n_perm": [Interval(int, 1)], "seed": [Interval(int, 0)], "diagonal": [bool]}
)
def qap_correlation(x, y, *, n_perm: int = 1000, seed: int = 0, diagonal: bool = False) -> pd.Series:
    """Graph correlation of two networks on the same people, with a QAP permutation test.

    The statistic is the Pearson correlation of the off-diagonal cells (``sna::gcor`` with
    ``mode="digraph"``, ``diag=FALSE``; for symmetric matrices this equals the correlation over
    one triangle). The null permutes the rows and columns of ``y`` together, which keeps each
    network's structure (Krackhardt 1987; Hubert 1987).

    Parameters
    ----------
    x, y : ndarray, DataFrame, networkx graph or CompactGraph
        Adjacency matrices (numpy arrays must already share one node order; graphs and
        DataFrames are aligned by node label, absent nodes counting as isolates). A matrix can
        also hold a dyadic attribute, e.g. 1 when two people share a department.
    n_perm : int
        Permutations.
    seed : int
        Seeds the permutations.
    diagonal : bool
        Include the diagonal cells.

    Returns
    -------
    Series
        ``estimate``, ``p_value`` (two-sided, |r|), ``p_greater``, ``p_less``, ``n_perm``,
        ``null_mean``, ``null_sd``.

    References
    ----------
    Krackhardt, D. (1987). QAP partialling as a test of spuriousness. Social Networks 9(2),
    171-186. doi:10.1016/0378-8733(87)90012-8

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.krackhardt_kite_graph()
    >>> r = qap_correlation(g, g, n_perm=200, seed=1)
    >>> float(r["estimate"]), bool(r["p_greater"] < 0.05)
    (1.0, True)
    """
    (a, b), _ = to_matrices(x, y)
    n = a.shape[0]
    rows, cols = _cells(n, diagonal)
    av = a[rows, cols]
    observed = _corr(av, b[rows, cols])
    rng = np.random.default_rng(seed)
    # Permuting rows and columns together only rearranges y's cells within the cells used
    # (off-diagonal to off-diagonal), so y's mean and spread are the same in every
    # permutation: only the cross-product changes. x is centred once, zero outside the cells.
    ac = np.zeros((n, n))
    ac[rows, cols] = av - av.mean()
    bv = b[rows, cols]
    den = np.sqrt((ac * ac).sum() * ((bv - bv.mean()) ** 2).sum())
    null = np.empty(n_perm)
    for i in range(n_perm):
        p = rng.permutation(n)
        null[i] = np.vdot(ac, b[np.ix_(p, p)]) / den if den > 0 else np.nan
    two, greater, less = _pvalues(observed, null, n_perm)
    return pd.Series({"estimate": observed, "p_value": two, "p_greater": greater,
                      "p_less": less, "n_perm": n_perm, "null_mean": float(np.nanmean(null)),
                      "null_sd": float(np.nanstd(null))}, name="qap_correlation")


def _ols(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    xtx_inv = np.linalg.pinv(X.T @ X)
    beta = xtx_inv @ (X.T @ y)
    resid = y - X @ beta
    sigma2 = float(resid @ resid) / (len(y) - X.shape[1])
    se = np.sqrt(np.clip(np.diag(xtx_inv) * sigma2, 0, None))
    with np.errstate(invalid="ignore", divide="ignore"):
        t = beta / se
    return beta, t, sigma2


@validate_params(
    {
        "n_perm": [Interval(int, 1)],
        "seed": [Interval(int, 0)],
        "null": [Options({"dsp", "y"})],
        "diagonal": [bool],
    }
)
def mrqap(
    y,
    x: Sequence | dict,
    *,
    n_perm: int = 1000,
    seed: int = 0,
    null: str = "dsp",
    diagonal: bool = False,
) -> pd.DataFrame:
    """Multiple regression QAP: OLS of one network on others, with a permutation test.

    Point estimates are OLS over the off-diagonal cells with an intercept (``sna::netlm``). The
    test is on the pivotal t statistic. ``null="dsp"`` (default) is Dekker, Krackhardt &
    Snijders' double semi-partialling: for each predictor, regress it on the other predictors,
    permute the residual matrix (rows and columns together), and refit; it is robust to
    collinear predictors. ``null="y"`` permutes the dependent network (classic QAP).

    Parameters
    ----------
    y : ndarray, DataFrame, networkx graph or CompactGraph
        Dependent network.
    x : sequence or dict of matrices/graphs
        Predictors (a dict names them; otherwise ``x1``, ``x2``, ...).
    n_perm : int
        Permutations per predictor.
    seed : int
        Seeds the permutations.
    null : {'dsp', 'y'}
        Null hypothesis permutation scheme.
    diagonal : bool
        Include the diagonal cells.

    Returns
    -------
    DataFrame
        Indexed by term (``Intercept`` first): ``estimate``, ``std_error``, ``t``, ``p_value``
        (two-sided, |t|), ``p_greater``, ``p_less``. ``attrs``: ``r2``, ``adj_r2``, ``rse``,
        ``df``, ``n_obs``, ``n_perm``, ``null``, ``seed``.

    References
    ----------
    Dekker, D., Krackhardt, D. & Snijders, T. A. B. (2007). Sensitivity of MRQAP tests to
    collinearity and autocorrelation conditions. Psychometrika 72(4), 563-581.
    doi:10.1007/s11336-007-9016-1

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> x1 = (rng.random((12, 12)) < 0.3).astype(float)
    >>> y = 2 * x1 + rng.normal(0, 0.1, (12, 12))
    >>> fit = mrqap(y, {"x1": x1}, n_perm=200, seed=0)
    >>> round(float(fit.loc["x1", "estimate"]), 1), bool(fit.loc["x1", "p_value"] < 0.05)
    (2.0, True)
    """
    names = list(x) if isinstance(x, dict) else [f"x{i + 1}" for i in range(len(x))]
    preds = list(x.values()) if isinstance(x, dict) else list(x)
    if not preds:
        raise TableError("mrqap", ["no predictor matrices"])
    mats, _ = to_matrices(y, *preds)
    n = mats[0].shape[0]
    rows, cols = _cells(n, diagonal)
    yv = mats[0][rows, cols]
    xs = [m[rows, cols] for m in mats[1:]]
    X = np.column_stack([np.ones(len(yv)), *xs])
    beta, t_obs, sigma2 = _ols(X, yv)
    k = X.shape[1]
    rng = np.random.default_rng(seed)
    null_t = np.full((n_perm, k), np.nan)
    for j in range(1, k):
        if null == "dsp":
            others = np.delete(X, j, axis=1)
            coef = np.linalg.lstsq(others, X[:, j], rcond=None)[0]
            resid = np.zeros((n, n))
            resid[rows, cols] = X[:, j] - others @ coef
        else:
            ymat = mats[0]
        for i in range(n_perm):
            p = rng.permutation(n)
            if null == "dsp":
                Xp = X.copy()
                Xp[:, j] = resid[p[rows], p[cols]]
                _, t, _ = _ols(Xp, yv)
            else:
                _, t, _ = _ols(X, ymat[p[rows], p[cols]])
            null_t[i, j] = t[j]
    ss_tot = float(((yv - yv.mean()) ** 2).sum())
    ss_res = sigma2 * (len(yv) - k)
    r2 = 1 - ss_res / ss_tot if ss_tot > 0 else float("nan")
    out = pd.DataFrame(index=pd.Index(["Intercept", *names], name="term"))
    out["estimate"] = beta
    out["std_error"] = np.abs(beta / t_obs)
    out["t"] = t_obs
    pv = [(np.nan, np.nan, np.nan)] + [_pvalues(t_obs[j], null_t[:, j], n_perm) for j in range(1, k)]
    out["p_value"], out["p_greater"], out["p_less"] = zip(*pv, strict=True)
    df = len(yv) - k
    out.attrs.update(r2=r2, adj_r2=1 - (1 - r2) * (len(yv) - 1) / df, rse=float(np.sqrt(sigma2)),
                     df=df, n_obs=len(yv), n_perm=n_perm, null=null, seed=seed)
    return out
