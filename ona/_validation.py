"""Parameter validation at the public boundary, with one uniform error message.

Every public function validates its keyword options with :func:`validate_params`, so that a bad
value fails at once with::

    The 'weight' parameter of build_graph must be one of {'count', 'recipient_share'} or a str.
    Got 3 instead.
"""

from __future__ import annotations

import functools
import inspect
import numbers
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ona.exceptions import InvalidParameterError

__all__ = ["Interval", "Options", "validate_params", "check_param"]


@dataclass(frozen=True)
class Interval:
    """A real or integer interval constraint; ``None`` bounds are open."""

    kind: type  # int or float (float accepts ints too)
    low: float | None = None
    high: float | None = None
    closed: str = "both"  # "both", "left", "right", "neither"

    def accepts(self, value: Any) -> bool:
        if isinstance(value, bool):
            return False
        if self.kind is int and not isinstance(value, numbers.Integral):
            return False
        if not isinstance(value, numbers.Real) or value != value:  # NaN
            return False
        lo_ok = self.low is None or (
            value >= self.low if self.closed in ("both", "left") else value > self.low
        )
        hi_ok = self.high is None or (
            value <= self.high if self.closed in ("both", "right") else value < self.high
        )
        return lo_ok and hi_ok

    def __str__(self) -> str:
        left = "[" if self.closed in ("both", "left") else "("
        right = "]" if self.closed in ("both", "right") else ")"
        lo = "-inf" if self.low is None else self.low
        hi = "inf" if self.high is None else self.high
        name = "an int" if self.kind is int else "a number"
        return f"{name} in the range {left}{lo}, {hi}{right}"


@dataclass(frozen=True)
class Options:
    """A fixed set of allowed values."""

    values: frozenset

    def __init__(self, values: Iterable[Any]):
        object.__setattr__(self, "values", frozenset(values))

    def accepts(self, value: Any) -> bool:
        try:
            return value in self.values
        except TypeError:
            return False

    def __str__(self) -> str:
        return "one of {" + ", ".join(repr(v) for v in sorted(self.values, key=str)) + "}"


def _accepts(constraint: Any, value: Any) -> bool:
    if constraint is None:
        return value is None
    if isinstance(constraint, type):
        if constraint is float:
            return isinstance(value, numbers.Real) and not isinstance(value, bool)
        if constraint is int:
            return isinstance(value, numbers.Integral) and not isinstance(value, bool)
        return isinstance(value, constraint)
    if isinstance(constraint, (Interval, Options)):
        return constraint.accepts(value)
    if callable(constraint):
        return bool(constraint(value))
    raise TypeError(f"unknown constraint {constraint!r}")


def _describe(constraint: Any) -> str:
    if constraint is None:
        return "None"
    if isinstance(constraint, type):
        return f"a {constraint.__name__}"
    if isinstance(constraint, (Interval, Options)):
        return str(constraint)
    return getattr(constraint, "description", getattr(constraint, "__name__", repr(constraint)))


def check_param(func_name: str, name: str, value: Any, constraints: list[Any]) -> None:
    """Raise :class:`InvalidParameterError` unless ``value`` meets one of ``constraints``.

    Examples
    --------
    >>> check_param("f", "k", 3, [Interval(int, 1)])
    >>> check_param("f", "k", 0, [Interval(int, 1)])
    Traceback (most recent call last):
    ...
    ona.exceptions.InvalidParameterError: The 'k' parameter of f must be an int in the range [1, inf]. Got 0 instead.
    """
    if any(_accepts(c, value) for c in constraints):
        return
    allowed = " or ".join(_describe(c) for c in constraints)
    shown = repr(value)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    raise InvalidParameterError(
        f"The {name!r} parameter of {func_name} must be {allowed}. Got {shown} instead."
    )


def validate_params(constraints: dict[str, list[Any]]) -> Callable:
    """Decorate a public function so that its named parameters are checked on every call.

    Parameters
    ----------
    constraints : dict
        Parameter name → list of accepted constraints (a type, ``None``, an :class:`Interval`,
        an :class:`Options`, or a predicate with a ``description`` attribute).
    """

    def decorator(func: Callable) -> Callable:
        signature = inspect.signature(func)
        unknown = set(constraints) - set(signature.parameters)
        if unknown:
            raise TypeError(f"{func.__name__} has no parameters {sorted(unknown)}")

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            for name, allowed in constraints.items():
                check_param(func.__name__, name, bound.arguments[name], allowed)
            return func(*args, **kwargs)

        wrapper.__ona_constraints__ = constraints  # read by the test that every function validates
        return wrapper

    return decorator
