"""Contracts every public name keeps (after scikit-learn's common tests).

- every public name resolves, every module declares ``__all__``;
- every public function documents itself (numpydoc: Parameters, Returns, Examples);
- every validated parameter rejects a bad value with the one uniform message;
- every reader keeps the reader contract on garbage input: a clear BadInputError or a
  balanced report, never another exception.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import warnings

import pytest

import ona
from ona._validation import check_param
from ona.exceptions import BadInputError, InvalidParameterError
from ona.importers import FORMATS, reader_class
from ona.importers._base import Reader, ReadResult
from ona.tables import CHANNELS

MODULES = sorted(
    m.name for m in pkgutil.walk_packages(ona.__path__, "ona.") if not m.name.endswith("__main__")
)
PUBLIC = sorted(ona.__all__)


def _resolve(name):
    try:
        return getattr(ona, name)
    except ImportError:  # reported by test_every_public_name_resolves
        return None


FUNCTIONS = [n for n in PUBLIC if inspect.isfunction(_resolve(n))]


@pytest.mark.parametrize("module", MODULES)
def test_every_module_declares_all(module):
    mod = importlib.import_module(module)
    assert isinstance(getattr(mod, "__all__", None), list), f"{module} has no __all__"
    for name in mod.__all__:
        assert hasattr(mod, name), f"{module}.__all__ lists missing {name}"


@pytest.mark.parametrize("name", PUBLIC)
def test_every_public_name_resolves(name):
    assert getattr(ona, name) is not None


@pytest.mark.parametrize("name", FUNCTIONS)
def test_every_public_function_has_a_numpydoc_docstring(name):
    doc = inspect.getdoc(getattr(ona, name)) or ""
    assert len(doc.splitlines()[0]) > 10, f"{name} has no summary line"
    sig = inspect.signature(getattr(ona, name))
    if any(p.kind is not p.VAR_KEYWORD for p in sig.parameters.values()):
        assert "Parameters\n----------" in doc, f"{name} documents no Parameters"
    assert "Returns\n-------" in doc, f"{name} documents no Returns"
    assert "Examples\n--------" in doc, f"{name} has no Examples"


class _Bad:
    def __repr__(self) -> str:
        return "<bad value>"


CONSTRAINED = [
    (n, p) for n in FUNCTIONS for p in getattr(getattr(ona, n), "__ona_constraints__", {})
]


@pytest.mark.parametrize(("name", "param"), CONSTRAINED)
def test_every_validated_parameter_rejects_a_bad_value_uniformly(name, param):
    func = getattr(ona, name)
    sig = inspect.signature(func)
    # Positional arguments the function needs: the value of the parameter under test is bad,
    # so validation must fail before the other arguments are looked at.
    required = [p for p in sig.parameters.values() if p.default is p.empty and p.name != param
                and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    args = [None for p in required if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    kwargs = {p.name: None for p in required if p.kind is p.KEYWORD_ONLY}
    with pytest.raises(InvalidParameterError):
        func(*args, **kwargs, **{param: _Bad()})
    # The same constraints the wrapper checks, on this parameter alone: the uniform message.
    with pytest.raises(InvalidParameterError) as err:
        check_param(func.__name__, param, _Bad(), func.__ona_constraints__[param])
    assert re.match(
        rf"The '{param}' parameter of {func.__name__} must be .+\. Got <bad value> instead\.$",
        str(err.value),
    )


def test_functions_with_options_validate_them():
    """Public functions taking keyword options validate them (listed exceptions explain why)."""
    unvalidated = []
    for name in FUNCTIONS:
        func = getattr(ona, name)
        options = [p for p in inspect.signature(func).parameters.values()
                   if p.kind is p.KEYWORD_ONLY and p.name not in ("progress",)]
        if options and not hasattr(func, "__ona_constraints__"):
            unvalidated.append(name)
    assert not unvalidated, f"public functions without validate_params: {unvalidated}"


def _importable(spec):
    try:
        importlib.import_module(spec.split(":")[0])
    except ImportError:  # reported by test_every_public_name_resolves
        return False
    return True


READERS = sorted(f for f, spec in FORMATS.items() if _importable(spec))


@pytest.mark.parametrize("fmt", READERS)
def test_reader_contract(fmt, tmp_path):
    cls = reader_class(fmt)
    assert issubclass(cls, Reader) and cls.format == fmt and cls.channel in CHANNELS
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(bytes(range(256)) * 4)
    assert cls.detect(garbage) is False
    assert cls.detect(tmp_path / "does-not-exist") is False
    empty_dir = tmp_path / "empty"
    empty_dir.mkdir()
    assert cls.detect(empty_dir) is False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            result = cls(garbage, on_bad_lines="skip").read()
        except BadInputError as exc:
            assert str(garbage) in str(exc)
        else:
            assert isinstance(result, ReadResult)
            assert result.report.balanced()
            assert len(result.report.rejects) == result.report.total()["read"] - (
                result.report.total()["imported"] + result.report.total()["duplicates"])


# "damaged" reads no source: it claims broken archives so that reading them reports the damage.
@pytest.mark.parametrize("fmt", [f for f in READERS if f != "damaged"])
def test_reader_has_a_public_read_function(fmt):
    module = importlib.import_module(FORMATS[fmt].split(":")[0])
    readers = [n for n in module.__all__ if n.startswith("read_")]
    assert readers, f"{module.__name__} exposes no read_* function"
    for n in readers:
        assert n in ona.__all__, f"{n} is not exported at the top of ona"
