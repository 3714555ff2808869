"""Relating the network to outcomes: correlations with small-sample honesty, OLS with robust
errors, difference-in-differences, and QAP/MRQAP for dyadic questions.

Every random step takes a ``seed``. See :func:`relate`, :func:`did`, :func:`qap_correlation`
and :func:`mrqap`.
"""

from __future__ import annotations

from ona.stats._did import DiDResult, did
from ona.stats._ols import ols
from ona.stats._qap import mrqap, qap_correlation
from ona.stats._relate import relate
from ona.stats._resample import bca_interval, benjamini_hochberg, detectable_r, holm

__all__ = [
    "DiDResult",
    "bca_interval",
    "benjamini_hochberg",
    "detectable_r",
    "did",
    "holm",
    "mrqap",
    "ols",
    "qap_correlation",
    "relate",
]
