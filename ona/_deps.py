"""Optional dependencies, imported lazily, with an error that names the extra to install."""

from __future__ import annotations

import importlib
from types import ModuleType

from ona.exceptions import MissingDependencyError

__all__ = ["import_optional"]


def import_optional(module: str, extra: str, purpose: str = "") -> ModuleType:
    """Import ``module`` or raise :class:`MissingDependencyError` naming ``extra``.

    Examples
    --------
    >>> import_optional("json", extra="dev").__name__
    'json'
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        why = f" for {purpose}" if purpose else ""
        raise MissingDependencyError(
            f"{module!r} is needed{why} but is not installed; "
            f"install it with: pip install 'ona-toolkit[{extra}]'"
        ) from exc
