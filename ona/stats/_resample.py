"""Resampling building blocks: row-wise correlations, BCa intervals, permutation p-values,
multiple-comparison corrections and the smallest effect a sample can detect.

Kept free of pandas so that each piece can be checked against scipy on plain arrays.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable

import numpy as np
from scipy import special, stats

from ona.exceptions import InvalidParameterError

__all__ = [
    "EXACT_PERMUTATION_MAX_N",
    "bca_for",
    "bca_interval",
    "benjamini_hochberg",
    "bootstrap_distribution",
    "detectable_r",
    "holm",
    "permutation_pvalue",
    "rowwise_pearson",
    "rowwise_rank",
]

# Exact enumeration of all n! outcome orders up to this n (8! = 40,320 rows); random draws above.
# 9! = 362,880 orders cost about a second per test, while 10,000 random draws already give a
# p-value within about 0.002 of the exact one, so enumeration stops at 8.
EXACT_PERMUTATION_MAX_N = 8


def rowwise_rank(a: np.ndarray) -> np.ndarray:
    """Average ranks along the last axis (ties share their mean rank, as in Spearman's rho)."""
    return stats.rankdata(a, axis=-1)


def rowwise_pearson(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Pearson correlation of matching rows of ``x`` and ``y`` (NaN where a row is constant).

    Examples
    --------
    >>> import numpy as np
    >>> float(rowwise_pearson(np.array([[1.0, 2, 3]]), np.array([[2.0, 4, 7]]))[0].round(4))
    0.9934
    """
    xc = x - x.mean(axis=-1, keepdims=True)
    yc = y - y.mean(axis=-1, keepdims=True)
    num = (xc * yc).sum(axis=-1)
    den = np.sqrt((xc * xc).sum(axis=-1) * (yc * yc).sum(axis=-1))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = num / den
    # Rounding can push |r| a hair above 1 on perfectly related rows.
    return np.clip(r, -1.0, 1.0)


def bootstrap_distribution(
    n: int, statistic: Callable[[np.ndarray], np.ndarray], *, n_boot: int, rng: np.random.Generator,
    chunk: int = 2000,
) -> np.ndarray:
    """Statistic on ``n_boot`` resamples of the ``n`` units (rows of indices drawn with replacement).

    ``statistic`` takes an integer array of shape (b, m) of unit indices and returns b values.
    """
    out = np.empty(n_boot)
    done = 0
    while done < n_boot:
        b = min(chunk, n_boot - done)
        idx = rng.integers(0, n, size=(b, n))
        out[done : done + b] = statistic(idx)
        done += b
    return out


def _jackknife(n: int, statistic: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    # Leave-one-out index rows: row i holds every unit but i.
    full = np.arange(n)
    idx = np.stack([np.delete(full, i) for i in range(n)])
    return statistic(idx)


def bca_interval(
    theta_hat: float,
    boot: np.ndarray,
    jackknife: np.ndarray,
    *,
    alpha: float = 0.05,
) -> tuple[float, float]:
    """Bias-corrected and accelerated (BCa) interval from a bootstrap and a jackknife distribution.

    Same definition as :func:`scipy.stats.bootstrap` with ``method="BCa"`` (Efron 1987):
    bias correction ``z0`` from the share of resamples below the estimate (ties count half),
    acceleration from the skewness of the jackknife values. NaN resamples (degenerate draws, e.g.
    all the same unit) are left out.

    References
    ----------
    Efron, B. (1987). Better bootstrap confidence intervals. JASA 82(397), 171-185.
    doi:10.1080/01621459.1987.10478410

    Examples
    --------
    >>> import numpy as np
    >>> boot = np.random.default_rng(0).normal(0.5, 0.1, 5000)
    >>> lo, hi = bca_interval(0.5, boot, np.linspace(0.45, 0.55, 20))
    >>> bool(lo < 0.5 < hi)
    True
    """
    boot = boot[np.isfinite(boot)]
    jackknife = jackknife[np.isfinite(jackknife)]
    if boot.size < 2 or not np.isfinite(theta_hat):
        return (math.nan, math.nan)
    share = ((boot < theta_hat).sum() + (boot <= theta_hat).sum()) / (2.0 * boot.size)
    z0 = special.ndtri(share)
    d = jackknife.mean() - jackknife
    den = 6.0 * (d * d).sum() ** 1.5
    a = (d**3).sum() / den if den > 0 else 0.0
    z = special.ndtri(np.array([alpha / 2, 1 - alpha / 2]))
    with np.errstate(invalid="ignore", divide="ignore"):
        adj = special.ndtr(z0 + (z0 + z) / (1 - a * (z0 + z)))
    if not np.all(np.isfinite(adj)):
        # z0 is infinite when every resample lies on one side of the estimate: no BCa interval.
        return (math.nan, math.nan)
    lo, hi = np.percentile(boot, adj * 100)
    return (float(lo), float(hi))


def bca_for(
    n: int, statistic: Callable[[np.ndarray], np.ndarray], *, n_boot: int, alpha: float,
    rng: np.random.Generator,
) -> tuple[float, float, float, float, float, int]:
    """Estimate, BCa and percentile intervals of ``statistic`` resampling ``n`` units.

    Returns (estimate, bca_low, bca_high, pct_low, pct_high, n_valid_resamples).
    """
    theta = float(statistic(np.arange(n)[None, :])[0])
    boot = bootstrap_distribution(n, statistic, n_boot=n_boot, rng=rng)
    jack = _jackknife(n, statistic)
    lo, hi = bca_interval(theta, boot, jack, alpha=alpha)
    valid = boot[np.isfinite(boot)]
    if valid.size >= 2:
        plo, phi = (float(v) for v in np.percentile(valid, [100 * alpha / 2, 100 * (1 - alpha / 2)]))
    else:
        plo = phi = math.nan
    return theta, lo, hi, plo, phi, int(valid.size)


def permutation_pvalue(
    x: np.ndarray, y: np.ndarray, *, n_perm: int, rng: np.random.Generator,
    statistic: Callable[[np.ndarray, np.ndarray], np.ndarray] = rowwise_pearson,
) -> tuple[float, int, bool]:
    """Two-sided permutation p-value of ``statistic(x, y)``, permuting ``y`` across units.

    Every order is enumerated when ``len(y) <= 8`` (exact p = share of orders at least as
    extreme, the observed one included); otherwise ``n_perm`` random orders and
    p = (b + 1) / (m + 1) (Phipson & Smyth 2010, doi:10.2202/1544-6115.1585).

    Returns (p_value, number_of_orders, exact).

    Examples
    --------
    >>> import numpy as np
    >>> p, m, exact = permutation_pvalue(np.arange(4.0), np.arange(4.0), n_perm=100,
    ...                                  rng=np.random.default_rng(0))
    >>> (p, m, exact)   # only the identity and the reversal are as extreme: 2 of 24
    (0.08333333333333333, 24, True)
    """
    n = len(y)
    observed = abs(float(statistic(x[None, :], y[None, :])[0]))
    if not np.isfinite(observed):
        return (math.nan, 0, False)
    # Ties in floating point: a permuted statistic equal to the observed one counts as extreme.
    tol = 1e-12 * max(1.0, observed)
    if n <= EXACT_PERMUTATION_MAX_N:
        orders = np.array(list(itertools.permutations(range(n))))
        perm = np.abs(statistic(np.broadcast_to(x, orders.shape), y[orders]))
        hits = int((perm >= observed - tol).sum())
        return (hits / len(orders), len(orders), True)
    hits = 0
    done = 0
    while done < n_perm:
        b = min(5000, n_perm - done)
        ys = rng.permuted(np.broadcast_to(y, (b, n)), axis=1)
        perm = np.abs(statistic(np.broadcast_to(x, (b, n)), ys))
        hits += int((perm >= observed - tol).sum())
        done += b
    return ((hits + 1) / (n_perm + 1), n_perm, False)


def holm(p: np.ndarray) -> np.ndarray:
    """Holm (1979) step-down adjusted p-values (NaN entries are left out and stay NaN).

    Examples
    --------
    >>> holm(np.array([0.01, 0.04, 0.03])).tolist()
    [0.03, 0.06, 0.06]
    """
    p = np.asarray(p, dtype=float)
    out = np.full_like(p, np.nan)
    ok = np.flatnonzero(np.isfinite(p))
    m = ok.size
    if m == 0:
        return out
    order = ok[np.argsort(p[ok], kind="stable")]
    adj = np.maximum.accumulate(p[order] * (m - np.arange(m)))
    out[order] = np.minimum(adj, 1.0)
    return out


def benjamini_hochberg(p: np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg (1995) step-up adjusted p-values (false discovery rate).

    Examples
    --------
    >>> benjamini_hochberg(np.array([0.01, 0.04, 0.03])).tolist()
    [0.03, 0.04, 0.04]
    """
    p = np.asarray(p, dtype=float)
    out = np.full_like(p, np.nan)
    ok = np.flatnonzero(np.isfinite(p))
    m = ok.size
    if m == 0:
        return out
    order = ok[np.argsort(p[ok], kind="stable")]
    scaled = p[order] * m / np.arange(1, m + 1)
    adj = np.minimum.accumulate(scaled[::-1])[::-1]
    out[order] = np.minimum(adj, 1.0)
    return out


def detectable_r(
    n: int, *, alpha: float = 0.05, power: float = 0.8, method: str = "pearson"
) -> float:
    """Smallest |r| a two-sided test at ``alpha`` detects with probability ``power`` (Fisher z).

    Pearson: |r| = tanh((z_{1-alpha/2} + z_{power}) / sqrt(n - 3)). Spearman's rho has a
    wider sampling distribution: var(atanh(rho)) = 1.06/(n - 3) (Fieller, Hartley and Pearson
    1957), so |rho| = tanh((z_{1-alpha/2} + z_{power}) * sqrt(1.06 / (n - 3))). NaN below 4
    units.

    Simulated on bivariate normal samples (20,000 per row) with the permutation test at .05:
    at the Spearman value the power is 0.80-0.81 for 15-50 units (0.78 at 10 and 0.76 at 8,
    where the exact test is discrete); the Pearson value gives Spearman only 0.73-0.79.

    References
    ----------
    Fieller, E. C., Hartley, H. O. and Pearson, E. S. (1957). Tests for rank correlation
    coefficients. I. Biometrika 44, 470-481. https://doi.org/10.1093/biomet/44.3-4.470

    Examples
    --------
    >>> round(detectable_r(20), 2), round(detectable_r(30), 2), round(detectable_r(100), 2)
    (0.59, 0.49, 0.28)
    >>> round(detectable_r(20, method="spearman"), 2)
    0.6
    """
    if method not in ("pearson", "spearman"):
        raise InvalidParameterError(
            f"The 'method' parameter of detectable_r must be 'pearson' or 'spearman'; got {method!r}")
    if n < 4:
        return math.nan
    z = special.ndtri(1 - alpha / 2) + special.ndtri(power)
    spread = 1.06 if method == "spearman" else 1.0
    return float(np.tanh(z * math.sqrt(spread / (n - 3))))
