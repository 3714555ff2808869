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


class FrameReader:
    """A reader of a Parquet file of ready-made events (one record per row), for tests that
    need a workspace with chosen contents without going through a real export format."""

    @staticmethod
    def make():
        from ona.importers._base import Reader, Record

        class _FrameReader(Reader):
            format = "frame"
            channel = "other"

            @classmethod
            def detect(cls, path):
                return False

            def records(self):
                import pandas as pd

                frame = pd.read_parquet(self.path)
                for i, row in enumerate(frame.to_dict("records")):
                    yield Record(str(row.pop("id", i)), f"row {i}", [row])

        return _FrameReader


@pytest.fixture
def workspace_from_events(monkeypatch, tmp_path):
    """``make(events)`` → a workspace holding ``events`` (a DataFrame of canonical columns,
    optional ``id``), imported through the normal import path."""
    from ona.importers import FORMATS
    from ona.workspace import open_workspace

    monkeypatch.setitem(FORMATS, "frame", FrameReader.make())
    counter = iter(range(10**6))

    def make(events, path=None, **import_options):
        n = next(counter)
        src = tmp_path / f"events-{n}.parquet"
        events.to_parquet(src)
        ws = open_workspace(path or tmp_path / f"ws-{n}", create=True)
        ws.import_paths([src], format="frame", **import_options)
        return ws

    return make
