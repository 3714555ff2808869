"""Shared test fixtures.

``shared`` finds ``../shared`` beside the checkout (material no one on the project wrote: real
export fixtures, datasets, published oracle values). It is read in place, never copied. In a
user's checkout without it, tests that need it skip with the reason; CI always has it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _find_shared() -> Path | None:
    env = os.environ.get("ONA_SHARED")
    candidates = [Path(env)] if env else []
    candidates.append(ROOT.parent / "shared")
    for c in candidates:
        if (c / "fixtures").is_dir() and (c / "oracles").is_dir():
            return c
    return None


SHARED = _find_shared()


@pytest.fixture(scope="session")
def shared() -> Path:
    """The ``../shared`` folder (skips the test with a clear reason when it is absent)."""
    if SHARED is None:
        pytest.skip(
            "../shared (real fixtures, datasets and oracles) is not beside this checkout; "
            "set ONA_SHARED to its path to run these tests"
        )
    return SHARED


@pytest.fixture(scope="session")
def oracles(shared: Path) -> dict[str, dict]:
    """Published reference values from ``shared/oracles/oracles.json``, by id."""
    records = json.loads((shared / "oracles" / "oracles.json").read_text())
    return {r["id"]: r for r in records}
