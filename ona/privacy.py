"""Privacy controls: keyed pseudonyms and a minimum group size.

**Pseudonymisation.** After identity resolution every person identifier becomes
``base64url(HMAC-SHA256(key, person_id))[:22]`` (132 bits): stable for one key, so monthly
imports join up, unrelated across keys, and not reversible without the key even by someone who
holds the roster (an unkeyed hash of an address is: addresses can be guessed). The key is read
from a key file or the ``ONA_PSEUDONYM_KEY`` environment variable (:func:`load_key`) and is never
written into a workspace. :func:`pseudonymise_tables` applies it to every identity column of the
Interactions, People and Affiliations tables at once, so the three stay joinable.

**Minimum group size.** Group-level results (group matrices, team tables, E-I indices, plots,
the report) must not single out small groups: a group with fewer than ``min_group_size`` members
(default 5) is suppressed, or for additive tables merged into one ``SMALL_GROUPS_LABEL`` group,
and the result says so in ``result.attrs["privacy"]``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import secrets
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd
import pyarrow as pa

from ona._validation import Interval, Options, validate_params
from ona.exceptions import BadInputError, InvalidParameterError

__all__ = [
    "IDENTIFIER_COLUMNS",
    "KEY_ENV",
    "MIN_GROUP_SIZE",
    "MIN_KEY_BYTES",
    "PERSONAL_COLUMNS",
    "PSEUDONYM_LENGTH",
    "SMALL_GROUPS_LABEL",
    "load_key",
    "new_key",
    "privacy_note",
    "pseudonym",
    "pseudonymise",
    "pseudonymise_tables",
    "suppress_small_groups",
    "write_key_file",
]

log = logging.getLogger("ona.privacy")

MIN_GROUP_SIZE = 5
SMALL_GROUPS_LABEL = "(small groups)"


def privacy_note(n_suppressed: int, min_size: int, merged: bool) -> str:
    """The sentence every group-level output carries about suppressed groups."""
    if n_suppressed == 0:
        return f"all groups have at least {min_size} people; none suppressed"
    how = f"merged into {SMALL_GROUPS_LABEL!r}" if merged else "suppressed"
    return f"{n_suppressed} group(s) with fewer than {min_size} people {how}"


@validate_params(
    {
        "min_size": [Interval(int, 1)],
        "how": [Options({"drop", "merge"})],
        "axis": [Options({"index", "both"})],
    }
)
def suppress_small_groups(
    table: pd.DataFrame | pd.Series,
    sizes: Mapping[str, int] | pd.Series,
    *,
    min_size: int = MIN_GROUP_SIZE,
    how: str = "drop",
    axis: str = "index",
) -> pd.DataFrame | pd.Series:
    """Suppress the groups of ``table`` that have fewer than ``min_size`` people.

    Parameters
    ----------
    table : DataFrame or Series
        Indexed by group (and, with ``axis="both"``, with groups as columns too: a group matrix).
    sizes : mapping or Series
        Number of people in each group. Groups missing from ``sizes`` count as size 0.
    min_size : int, default 5
        Smallest group that may be shown.
    how : {'drop', 'merge'}
        Drop small groups, or sum them into one ``"(small groups)"`` row (and column): only for
        additive tables such as counts. A merged group still below ``min_size`` is dropped too.
    axis : {'index', 'both'}
        Apply to the index only, or to index and columns (square group matrices).

    Returns
    -------
    DataFrame or Series
        A copy; ``result.attrs["privacy"]`` says what was suppressed and
        ``result.attrs["suppressed_groups"]`` counts the groups.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.Series({"A": 10.0, "B": 3.0, "C": 4.0})
    >>> out = suppress_small_groups(t, {"A": 12, "B": 2, "C": 3}, how="merge")
    >>> out.to_dict()
    {'A': 10.0, '(small groups)': 7.0}
    >>> out.attrs["privacy"]
    "2 group(s) with fewer than 5 people merged into '(small groups)'"
    """
    sizes = pd.Series(sizes, dtype="float64")
    groups = list(table.index)
    small = [g for g in groups if sizes.get(g, 0) < min_size]
    keep = [g for g in groups if g not in small]
    merged_size = float(sum(sizes.get(g, 0) for g in small))
    merge = how == "merge" and small and merged_size >= min_size
    if merge:
        # Relabel small groups to one label and sum, on the index (and the columns).
        label = {g: (g if g in keep else SMALL_GROUPS_LABEL) for g in groups}
        order = keep + [SMALL_GROUPS_LABEL]
        out = table.groupby(table.index.map(label), sort=False).sum().reindex(order)
        if axis == "both":
            out = out.T.groupby(out.columns.map(label), sort=False).sum().T.reindex(columns=order)
    else:
        out = table.loc[keep]
        if axis == "both":
            out = out.loc[:, [c for c in out.columns if c in keep]]
    out = out.copy()
    out.attrs["privacy"] = privacy_note(len(small), min_size, bool(merge))
    out.attrs["suppressed_groups"] = len(small)
    return out


# ---------------------------------------------------------------------------------------------
# Pseudonymisation

KEY_ENV = "ONA_PSEUDONYM_KEY"
MIN_KEY_BYTES = 16
PSEUDONYM_LENGTH = 22  # base64url characters: 132 bits of the HMAC
# Extra People columns that name or reach a person and are dropped by pseudonymise_tables.
PERSONAL_COLUMNS = frozenset(
    {
        "name", "display_name", "first_name", "last_name", "given_name", "surname",
        "full_name", "real_name", "preferred_name", "nickname", "manager_name", "phone",
        "mobile", "address", "home_address", "postcode", "birth_date", "date_of_birth",
        "national_id", "ssn", "personal_email",
    }
)  # fmt: skip
# Extra People columns holding other identifiers of the person: pseudonymised like person_id
# (an employee number is as identifying as an address, and joins to other HR data).
IDENTIFIER_COLUMNS = frozenset(
    {
        "employee_id", "employee_number", "staff_id", "personnel_number", "worker_id",
        "user_id", "username", "login", "upn", "user_principal_name", "slack_id", "github_login",
        "aad_id", "object_id",
    }
)  # fmt: skip
# Domain separation: a container named like a person id must not get that person's pseudonym.
_CONTAINER_PREFIX = b"container\x1f"


def _check_key(key: object, func: str) -> bytes:
    if isinstance(key, str):
        key = key.encode("utf-8")
    if not isinstance(key, bytes) or len(key) < MIN_KEY_BYTES:
        # The key itself is never shown, only what is wrong with it.
        raise InvalidParameterError(
            f"The 'key' parameter of {func} must be bytes of at least {MIN_KEY_BYTES} bytes "
            "(see ona.privacy.load_key). Got "
            + (f"{len(key)} bytes" if isinstance(key, bytes) else f"a {type(key).__name__}")
            + " instead."
        )
    return key


def new_key() -> str:
    """A new random key (43 URL-safe characters, 256 bits) for a key file or ``ONA_PSEUDONYM_KEY``.

    Examples
    --------
    >>> len(new_key())
    43
    """
    return secrets.token_urlsafe(32)


def write_key_file(path: str | Path) -> Path:
    """Write a new random key to ``path``, readable by its owner only; never overwrite one.

    Keep the file outside every workspace and back it up: without it, pseudonyms of later
    imports no longer join the earlier ones.

    Parameters
    ----------
    path : str or Path
        Where to write the key (``~`` is expanded).

    Returns
    -------
    Path
        The key file, for :func:`load_key`.

    Raises
    ------
    FileExistsError
        If ``path`` exists (a key is never replaced by accident).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = write_key_file(pathlib.Path(tempfile.mkdtemp()) / "ona.key")
    >>> oct(path.stat().st_mode & 0o777), len(load_key(path))
    ('0o600', 43)
    """
    path = Path(path).expanduser()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(new_key() + "\n")
    return path


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


@validate_params({"key_file": [None, str, os.PathLike], "workspace": [None, str, os.PathLike]})
def load_key(
    key_file: str | Path | None = None, *, workspace: str | Path | None = None
) -> bytes | None:
    """The pseudonymisation key: from ``key_file``, else ``$ONA_PSEUDONYM_KEY``, else None.

    Parameters
    ----------
    key_file : str or Path, optional
        A file holding the key (surrounding whitespace is ignored), e.g. one written by
        :func:`write_key_file`.
    workspace : str or Path, optional
        The workspace the key will be used for: a key file inside it is refused, because the
        key must never be stored with the data it protects.

    Returns
    -------
    bytes or None
        The key, or None when no key file is given and the environment variable is unset
        (then nothing is pseudonymised).

    Raises
    ------
    BadInputError
        If the key file cannot be read.
    InvalidParameterError
        If the key is shorter than 16 bytes, or the key file lies inside ``workspace``.

    Examples
    --------
    >>> import os
    >>> os.environ["ONA_PSEUDONYM_KEY"] = "correct-horse-battery-staple"
    >>> load_key()
    b'correct-horse-battery-staple'
    >>> del os.environ["ONA_PSEUDONYM_KEY"]
    >>> load_key() is None
    True
    """
    if key_file is not None:
        path = Path(key_file).expanduser()
        if workspace is not None and _inside(path, Path(workspace)):
            raise InvalidParameterError(
                "The 'key_file' parameter of load_key must be a file outside the workspace: "
                "the key must never be stored with the data it protects."
            )
        try:
            key = path.read_bytes().strip()
        except OSError as exc:
            raise BadInputError(
                str(path), None, f"cannot read the key file ({type(exc).__name__})"
            ) from exc
        if os.name == "posix" and path.stat().st_mode & 0o077:
            log.warning("the key file %s is readable by other users; chmod 600 it", path)
    else:
        value = os.environ.get(KEY_ENV, "").strip()
        if not value:
            return None
        key = value.encode("utf-8")
    return _check_key(key, "load_key")


def pseudonym(value: str, key: bytes) -> str:
    """``base64url(HMAC-SHA256(key, value))`` cut to 22 characters.

    Examples
    --------
    >>> key = b"0123456789abcdef"
    >>> p = pseudonym("E1001", key)
    >>> len(p), p == pseudonym("E1001", key), p == pseudonym("E1001", b"another key, 16+ bytes")
    (22, True, False)
    """
    digest = hmac.new(
        _check_key(key, "pseudonym"), value.encode("utf-8", "surrogatepass"), hashlib.sha256
    )
    return base64.urlsafe_b64encode(digest.digest()).decode("ascii")[:PSEUDONYM_LENGTH]


def _domain(value: str) -> str | None:
    local, at, domain = value.rpartition("@")
    return domain.lower() if at and local and domain else None


def _mapper(key: bytes, keep_domain: bool, prefix: bytes = b""):
    cache: dict[str, str] = {}

    def one(value: str) -> str:
        out = cache.get(value)
        if out is None:
            digest = hmac.new(key, prefix + value.encode("utf-8", "surrogatepass"), hashlib.sha256)
            out = base64.urlsafe_b64encode(digest.digest()).decode("ascii")[:PSEUDONYM_LENGTH]
            domain = _domain(value) if keep_domain else None
            if domain:
                out = f"{out}@{domain}"
            cache[value] = out
        return out

    return one


def _apply(series: pd.Series, one) -> pd.Series:
    """``one`` applied once per distinct value, then gathered back (missing stays missing)."""
    codes, uniques = series.astype("string").factorize()
    names = pa.array([one(v) for v in uniques], type=pa.large_string())
    index = pa.array(codes, mask=codes < 0)
    return pd.Series(pd.arrays.ArrowStringArray(names.take(index)), index=series.index)


@validate_params({"keep_domain": [bool]})
def pseudonymise(
    values: str | pd.Series | Iterable[str],
    key: bytes,
    *,
    keep_domain: bool = False,
) -> str | pd.Series:
    """Replace identifiers by their keyed pseudonyms; missing values stay missing.

    Parameters
    ----------
    values : str, Series or iterable of str
        Person identifiers (person ids after identity resolution, or raw handles).
    key : bytes
        The key from :func:`load_key`.
    keep_domain : bool, default False
        Append ``@domain`` to the pseudonym of an identifier that is an e-mail address, so
        internal and external people stay distinguishable. It depends on the identifier alone,
        so tables pseudonymised separately still join.

    Returns
    -------
    str or Series
        Like ``values`` (a Series of dtype ``string`` for anything but a single str).

    Examples
    --------
    >>> key = b"0123456789abcdef"
    >>> out = pseudonymise(["a@corp.com", "E7", None], key, keep_domain=True)
    >>> out[0].endswith("@corp.com"), len(out[1]), out.isna()[2]
    (True, 22, np.True_)
    """
    one = _mapper(_check_key(key, "pseudonymise"), keep_domain)
    if isinstance(values, str):
        return one(values)
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype="string")
    return _apply(series, one)


@validate_params({"keep_domain": [bool], "hash_containers": [bool]})
def pseudonymise_tables(
    interactions: pd.DataFrame | None,
    people: pd.DataFrame | None,
    affiliations: pd.DataFrame | None,
    key: bytes,
    *,
    keep_domain: bool = False,
    hash_containers: bool = True,
) -> tuple[pd.DataFrame | None, pd.DataFrame | None, pd.DataFrame | None]:
    """Pseudonymise every identity column of the three tables consistently.

    Run it after identity resolution, so that one person has one pseudonym across systems.
    ``source``, ``target``, ``person_id``, ``manager_id`` and the affiliation ``person`` become
    ``pseudonym(person_id)``; ``email`` and each ``aliases`` entry become the pseudonym of the
    (lower-cased) address, so a later raw handle can still be matched by pseudonymising it with
    the same key; other identifier columns (:data:`IDENTIFIER_COLUMNS`, e.g. ``employee_id``)
    are pseudonymised too; ``name`` and the other :data:`PERSONAL_COLUMNS` are dropped. With
    ``hash_containers`` the ``thread_id``, ``container`` and ``origin`` of interactions and the
    affiliation ``group`` (chat channels and DM names, mailing-list addresses, repositories,
    per-person mailbox files such as ``maildir/lay-k``) are replaced by keyed hashes too. Team, department, location and level are kept: group analyses need them
    and the minimum group size protects them. ``event_id``/``record_id`` are already digests.

    Parameters
    ----------
    interactions, people, affiliations : DataFrame or None
        Canonical tables (None is passed through).
    key : bytes
        The key from :func:`load_key`.
    keep_domain : bool, default False
        Keep the e-mail domain (``pseudonym@domain``) of identifiers and addresses that are
        e-mail addresses, for internal/external distinctions (a roster person with a non-mail
        id keeps the domain in ``email``). Each value's pseudonym depends on the value alone, so
        the three tables, or several imports, can be pseudonymised in separate calls.
    hash_containers : bool, default True
        Also hash thread ids, containers, origins and affiliation groups.

    Returns
    -------
    (interactions, people, affiliations)
        New tables; the inputs are not modified.

    Examples
    --------
    >>> import pandas as pd
    >>> key = b"0123456789abcdef"
    >>> people = pd.DataFrame({"person_id": ["E1", "E2"], "name": ["Ann Lee", "Bo Yu"],
    ...                        "email": ["ann@corp.com", "bo@corp.com"], "manager_id": [None, "E1"]})
    >>> _, p, _ = pseudonymise_tables(None, people, None, key)
    >>> p.loc[1, "manager_id"] == p.loc[0, "person_id"], "name" in p.columns
    (True, False)
    """
    key = _check_key(key, "pseudonymise_tables")
    identity = _mapper(key, keep_domain)
    container = _mapper(key, False, _CONTAINER_PREFIX)

    if interactions is not None:
        interactions = interactions.copy()
        for col in ("source", "target"):
            if col in interactions.columns:
                interactions[col] = _apply(interactions[col], identity)
        if hash_containers:
            for col in ("thread_id", "container", "origin"):
                if col in interactions.columns:
                    interactions[col] = _apply(interactions[col], container)

    if people is not None:
        drop = [c for c in people.columns if c.lower() in PERSONAL_COLUMNS]
        people = people.drop(columns=drop)
        ids = [
            "person_id",
            "manager_id",
            *(c for c in people.columns if c.lower() in IDENTIFIER_COLUMNS),
        ]
        for col in ids:
            if col in people.columns:
                people[col] = _apply(people[col].astype("string"), identity)
        if "email" in people.columns:
            people["email"] = _apply(people["email"].str.lower(), identity)
        if "aliases" in people.columns:
            people["aliases"] = (
                people["aliases"]
                .astype("string")
                .map(
                    lambda s: ";".join(
                        identity(a.strip().lower()) for a in s.split(";") if a.strip()
                    ),
                    na_action="ignore",
                )
                .astype("string")
            )

    if affiliations is not None:
        affiliations = affiliations.copy()
        if "person" in affiliations.columns:
            affiliations["person"] = _apply(affiliations["person"], identity)
        if hash_containers:
            for col in ("group", "origin"):
                if col in affiliations.columns:
                    affiliations[col] = _apply(affiliations[col], container)

    return interactions, people, affiliations
