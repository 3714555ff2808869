"""Network exchange: the person or group network as tables, GEXF (Gephi), GraphML (Cytoscape,
yEd) and CSV/Parquet tables (Excel, R, Power BI).

:func:`network_tables` is the one place where the exported network is made: nodes with their
attributes and key measures, ties with a weight per channel (and per month, for Gephi's
timeline), the minimum group size applied, and a statement of what was done. The writers
(:func:`to_gexf`, :func:`to_graphml`, :func:`write_tables`) only serialise it, and
:func:`export_network` runs the whole thing on a workspace (``ona export`` on the command line).

Disclosure control
------------------
* **Group level**: groups with fewer than ``min_group_size`` people are merged into one
  ``"(small groups)"`` node, which is itself dropped when it is still below the minimum.
* **Person level**: a person's category attributes (team, department, level, location) are kept
  only where at least ``min_group_size`` people share the value; rarer values become
  ``"(small groups)"``, so a small team's members are never listed with their team.
* **Identities**: in a pseudonymised workspace the node ids are the stored pseudonyms. In a
  workspace of raw identities, person ids are replaced by labels keyed with a throwaway key
  (consistent within one export, meaningless outside it) unless ``names=True``.

Every export carries this statement: in GEXF's ``<meta><description>``, in GraphML's graph data
``ona_privacy``, beside CSV tables as ``metadata.json`` and in Parquet's schema metadata.
"""

from __future__ import annotations

import hmac
import json
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from ona._validation import Interval, Options, validate_params
from ona.graph import build_graph
from ona.people import attributes_at
from ona.privacy import MIN_GROUP_SIZE, SMALL_GROUPS_LABEL

__all__ = [
    "EXPORT_FORMATS",
    "ExportResult",
    "NetworkTables",
    "export_network",
    "network_tables",
    "to_gexf",
    "to_graphml",
    "write_tables",
]

#: Formats :func:`export_network` writes, by name.
EXPORT_FORMATS = ("gexf", "graphml", "csv", "parquet")
_CATEGORY_ATTRIBUTES = ("team", "department", "level", "location")
_PERSON_MEASURES = ("in_degree", "out_degree", "degree", "strength", "betweenness")
# Spreadsheet programs run a cell starting with one of these as a formula (OWASP, "CSV Injection").
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class NetworkTables:
    """A network ready to export: one row per node, one row per directed tie.

    Attributes
    ----------
    nodes : DataFrame
        Indexed by node id. Person level: ``label`` and the category attributes, key measures,
        ``community``. Group level: ``label``, ``people`` (members), ``department`` (for teams),
        ``internal_volume`` (interactions within the group).
    edges : DataFrame
        ``source``, ``target``, ``weight`` (interactions, all channels) and ``weight_<channel>``
        for each channel present.
    periods : DataFrame or None
        With ``by_month=True``: ``source``, ``target``, ``month`` (first day), ``weight``.
    level : {'person', 'group'}
    privacy : str
        What was suppressed or replaced, in words (also written into every export).
    metadata : dict
        The choices made (window, channels, kinds, groups, minimum group size, pseudonymised).
    """

    nodes: pd.DataFrame
    edges: pd.DataFrame
    level: str
    privacy: str
    metadata: dict[str, Any] = field(default_factory=dict)
    periods: pd.DataFrame | None = None

    def to_networkx(self, *, dynamic: bool = False) -> nx.DiGraph:
        """The network as a :class:`networkx.DiGraph` with every node and edge attribute.

        With ``dynamic=True`` (needs ``by_month=True``), edges carry ``start``/``end`` and a
        ``volume`` attribute per month, which Gephi's timeline reads from GEXF.
        """
        G = nx.DiGraph()
        G.graph.update({f"ona_{k}": _scalar(v) for k, v in self.metadata.items()})
        G.graph["ona_privacy"] = self.privacy
        for node, row in self.nodes.iterrows():
            G.add_node(str(node), **{k: _scalar(v) for k, v in row.items() if not _missing(v)})
        for row in self.edges.itertuples(index=False):
            attrs = {k: float(v) for k, v in row._asdict().items() if k not in ("source", "target")}
            G.add_edge(str(row.source), str(row.target), **attrs)
        if dynamic:
            if self.periods is None:
                raise ValueError("a dynamic export needs network_tables(..., by_month=True)")
            G.graph["mode"] = "dynamic"
            for (s, t), rows in self.periods.groupby(["source", "target"], sort=True):
                months = rows["month"].sort_values()
                spells = [
                    (float(w), _day(m), _day(m + pd.offsets.MonthBegin(1)))
                    for m, w in zip(rows["month"], rows["weight"], strict=True)
                ]
                G.edges[str(s), str(t)].update(
                    volume=sorted(spells, key=lambda x: x[1]),
                    start=_day(months.iloc[0]),
                    end=_day(months.iloc[-1] + pd.offsets.MonthBegin(1)),
                )
        return G


def _missing(value: Any) -> bool:
    return value is None or (not isinstance(value, str | list) and bool(pd.isna(value)))


def _scalar(value: Any) -> Any:
    """A value GraphML and GEXF can hold (numpy scalars to Python, others to text)."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, bool | int | float | str):
        return value
    return json.dumps(value, default=str) if isinstance(value, dict | list | tuple) else str(value)


def _day(t: pd.Timestamp) -> str:
    return pd.Timestamp(t).strftime("%Y-%m-%d")


def _coarsen_categories(nodes: pd.DataFrame, min_group_size: int) -> tuple[pd.DataFrame, int]:
    """Replace category values shared by fewer than ``min_group_size`` people."""
    replaced = 0
    for column in _CATEGORY_ATTRIBUTES:
        if column not in nodes.columns:
            continue
        counts = nodes[column].value_counts()
        rare = counts.index[counts < min_group_size]
        mask = nodes[column].isin(rare)
        replaced += int(mask.sum())
        nodes[column] = nodes[column].astype(object).where(~mask, SMALL_GROUPS_LABEL)
    return nodes, replaced


def _throwaway_labels(ids: pd.Index) -> dict[str, str]:
    """Labels keyed by a random key that is never stored: consistent within one export only."""
    key = secrets.token_bytes(32)
    return {
        str(i): "p" + hmac.new(key, str(i).encode("utf-8", "surrogatepass"), "sha256").hexdigest()[:12]
        for i in ids
    }


@validate_params(
    {
        "level": [Options({"person", "group"})],
        "groups": [str],
        "min_group_size": [Interval(int, 1)],
        "names": [bool],
        "pseudonymised": [bool],
        "by_month": [bool],
        "measures": [bool],
        "seed": [Interval(int, 0)],
    }
)
def network_tables(
    interactions: pd.DataFrame,
    people: pd.DataFrame | None = None,
    *,
    level: str = "person",
    groups: str = "team",
    start: Any = None,
    end: Any = None,
    channels: str | list[str] | None = None,
    kinds: str | list[str] | None = None,
    min_group_size: int = MIN_GROUP_SIZE,
    pseudonymised: bool = True,
    names: bool = False,
    by_month: bool = False,
    measures: bool = True,
    seed: int = 0,
) -> NetworkTables:
    """The person or group network of the internal population, ready to export.

    Parameters
    ----------
    interactions : DataFrame
        An Interactions table (:mod:`ona.tables`).
    people : DataFrame, optional
        The People table. With it, only ties between people on the roster in force at the
        window's end are kept (external addresses, lists and bots are left out) and nodes get
        their attributes; without it, every identity is a node and the group level is refused.
    level : {'person', 'group'}, default 'person'
        One node per person, or one per group of ``groups``.
    groups : str, default 'team'
        The People column that forms the groups at the group level.
    start, end : date or str, optional
        The window ``[start, end)``.
    channels, kinds : str or list of str, optional
        Keep only these channels or kinds (e.g. a survey layer: ``kinds="advice"``).
    min_group_size : int, default 5
        Disclosure control (see the module's notes).
    pseudonymised : bool, default True
        Whether the ids in ``interactions`` are already pseudonyms. If not, person ids are
        replaced by throwaway keyed labels unless ``names=True``.
    names : bool, default False
        Keep raw identities (and a ``name`` column) in a workspace of raw identities.
    by_month : bool, default False
        Also count each tie per calendar month (for a dynamic GEXF).
    measures : bool, default True
        Add key measures: degree, strength and betweenness (:func:`ona.centrality`, its
        defaults) and the community (:func:`ona.communities`, seeded) at the person level.
    seed : int, default 0
        Seeds the community detection.

    Returns
    -------
    NetworkTables

    Examples
    --------
    >>> import pandas as pd
    >>> events = pd.DataFrame({
    ...     "timestamp": pd.to_datetime(["2026-01-05", "2026-02-06", "2026-02-07"], utc=True),
    ...     "source": ["ann", "ann", "bob"], "target": ["bob", "bob", "ann"],
    ...     "channel": ["email", "chat", "email"]})
    >>> net = network_tables(events, measures=False)
    >>> net.edges[["source", "target", "weight", "weight_chat", "weight_email"]].values.tolist()
    [['ann', 'bob', 2.0, 1.0, 1.0], ['bob', 'ann', 1.0, 0.0, 1.0]]
    """
    if level == "group" and people is None:
        raise ValueError("a group-level network needs the People table (import a roster)")
    if people is not None and "status" in people.columns:
        # identity resolution adds externals, lists and unmatched handles to People with a
        # status; only roster members are the organisation's people
        people = people[people["status"].isna() | people["status"].eq("roster")]
    G = build_graph(interactions, people, start=start, end=end, channels=channels, kinds=kinds,
                    internal_only=people is not None, isolates=people is not None)
    nodes = pd.DataFrame(index=pd.Index(sorted(map(str, G.nodes)), name="id"))
    if people is not None and len(nodes):
        when = pd.Timestamp(end, tz="UTC") - pd.Timedelta(1, "ns") if end is not None else (
            pd.to_datetime(interactions["timestamp"], utc=True).max())
        attrs = attributes_at(people, when)
        keep = [c for c in (*_CATEGORY_ATTRIBUTES, "name") if c in attrs.columns]
        nodes = nodes.join(attrs[keep])
    ties = _tie_table(G, interactions, start, end, channels, kinds, by_month, set(nodes.index))
    edges, periods = ties
    metadata = {
        "level": level, "start": _text(start), "end": _text(end),
        "channels": _text(channels), "kinds": _text(kinds), "min_group_size": min_group_size,
        "tie_weight": "interactions counted (each event once), per channel in weight_<channel>",
    }
    if level == "group":
        return _group_level(nodes, edges, periods, groups, min_group_size, metadata)
    return _person_level(G, nodes, edges, periods, min_group_size, pseudonymised, names,
                         measures, seed, metadata)


def _text(value: Any) -> str:
    if value is None:
        return "all"
    return ",".join(value) if isinstance(value, list | tuple) else str(value)


def _tie_table(G, interactions, start, end, channels, kinds, by_month, keep_nodes):
    """Directed ties of ``G`` with a count per channel (and per month), from the same events."""
    frame = interactions
    t = pd.to_datetime(frame["timestamp"], utc=True)
    mask = np.ones(len(frame), dtype=bool)
    if start is not None:
        mask &= (t >= pd.Timestamp(start, tz="UTC")).to_numpy()
    if end is not None:
        mask &= (t < pd.Timestamp(end, tz="UTC")).to_numpy()
    for column, wanted in (("channel", channels), ("kind", kinds)):
        if wanted is not None and column in frame.columns:
            mask &= frame[column].isin([wanted] if isinstance(wanted, str) else wanted).to_numpy()
    for flag in ("automated", "mass"):  # build_graph's defaults leave these out
        if flag in frame.columns:
            mask &= ~frame[flag].fillna(False).astype(bool).to_numpy()
    events = frame.loc[mask, ["source", "target"]].astype(str)
    events["channel"] = frame.loc[mask, "channel"].astype(str) if "channel" in frame else "other"
    events["month"] = t[mask].dt.tz_localize(None).dt.to_period("M").dt.to_timestamp()
    events = events[events["source"].isin(keep_nodes) & events["target"].isin(keep_nodes)]
    events = events[events["source"] != events["target"]]
    per_channel = events.pivot_table(index=["source", "target"], columns="channel",
                                     values="month", aggfunc="size", fill_value=0)
    per_channel.columns = [f"weight_{c}" for c in per_channel.columns]
    edges = per_channel.astype(float)
    edges.insert(0, "weight", edges.sum(axis=1))
    edges = edges.reset_index().sort_values(["source", "target"], ignore_index=True)
    periods = None
    if by_month:
        periods = (events.groupby(["source", "target", "month"]).size().rename("weight")
                   .astype(float).reset_index())
    return edges, periods


def _person_level(G, nodes, edges, periods, min_group_size, pseudonymised, names, measures,
                  seed, metadata):
    from ona.analysis.centrality import centrality
    from ona.analysis.silos import communities

    nodes, replaced = _coarsen_categories(nodes, min_group_size)
    if measures and len(nodes):
        table = centrality(G, measures=["degree", "strength", "betweenness"], seed=seed)
        nodes = nodes.join(table[[c for c in _PERSON_MEASURES if c in table.columns]])
        nodes["community"] = communities(G, seed=seed).reindex(nodes.index)
    statements = []
    if replaced:
        statements.append(
            f"{replaced} category values (team, department, level, location) held by fewer "
            f"than {min_group_size} people are shown as '{SMALL_GROUPS_LABEL}'")
    if pseudonymised:
        statements.append("person ids are the workspace's keyed pseudonyms")
        nodes = nodes.drop(columns=["name"], errors="ignore")
    elif names:
        statements.append("RAW IDENTITIES: exported on request (names=True)")
    else:
        labels = _throwaway_labels(nodes.index)
        nodes = nodes.drop(columns=["name"], errors="ignore").rename(index=labels)
        nodes.index.name = "id"
        edges = edges.assign(source=edges["source"].map(labels), target=edges["target"].map(labels))
        if periods is not None:
            periods = periods.assign(source=periods["source"].map(labels),
                                     target=periods["target"].map(labels))
        statements.append("person ids replaced by labels keyed with a throwaway key "
                          "(consistent within this export only)")
    nodes.insert(0, "label", nodes.index)
    privacy = "; ".join(statements) + "."
    metadata = {**metadata, "pseudonymised": bool(pseudonymised or not names)}
    return NetworkTables(nodes.sort_index(), edges.sort_values(["source", "target"],
                         ignore_index=True), "person", privacy, metadata, periods)


def _group_level(nodes, edges, periods, groups, min_group_size, metadata):
    if groups not in nodes.columns:
        raise ValueError(f"the People table has no '{groups}' column to group by")
    member = nodes[groups].astype(object).where(nodes[groups].notna(), "(no group)")
    sizes = member.value_counts()
    small = sizes.index[sizes < min_group_size]
    member = member.where(~member.isin(small), SMALL_GROUPS_LABEL)
    merged = int(member.eq(SMALL_GROUPS_LABEL).sum())
    dropped = 0 < merged < min_group_size
    if dropped:
        member = member[member.ne(SMALL_GROUPS_LABEL)]

    def to_groups(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.assign(source=frame["source"].map(member), target=frame["target"].map(member))
        return frame.dropna(subset=["source", "target"])

    ties = to_groups(edges)
    internal = ties[ties["source"] == ties["target"]].groupby("source")["weight"].sum()
    between = ties[ties["source"] != ties["target"]].groupby(["source", "target"]).sum()
    between = between.reset_index().sort_values(["source", "target"], ignore_index=True)
    table = pd.DataFrame({"people": member.value_counts()})
    table.index.name = "id"
    if groups != "department" and "department" in nodes.columns:
        dept = nodes["department"].reindex(member.index)
        table["department"] = dept.groupby(member).agg(
            lambda s: s.mode().iloc[0] if s.notna().any() else None)
    table["internal_volume"] = internal.reindex(table.index).fillna(0.0)
    table.insert(0, "label", table.index)
    if periods is not None:
        periods = to_groups(periods)
        periods = (periods[periods["source"] != periods["target"]]
                   .groupby(["source", "target", "month"], as_index=False)["weight"].sum())
    statements = [f"groups are '{groups}'"]
    if len(small):
        statements.append(
            f"{len(small)} groups with fewer than {min_group_size} people "
            + ("left out (together still below the minimum)" if dropped
               else f"merged into '{SMALL_GROUPS_LABEL}'"))
    metadata = {**metadata, "groups": groups, "suppressed_groups": int(len(small))}
    return NetworkTables(table.sort_index(), between, "group", "; ".join(statements) + ".",
                         metadata, periods)


@validate_params({"dynamic": [bool]})
def to_gexf(net: NetworkTables, path: str | Path, *, dynamic: bool = False) -> Path:
    """Write ``net`` as GEXF 1.2 (Gephi), the privacy statement in ``<meta><description>``.

    Parameters
    ----------
    net : NetworkTables
    path : str or Path
    dynamic : bool, default False
        Edges with ``start``/``end`` and a monthly ``volume`` for Gephi's timeline (needs
        ``by_month=True`` in :func:`network_tables`).

    Returns
    -------
    Path

    Examples
    --------
    >>> import pandas as pd, tempfile, networkx as nx
    >>> events = pd.DataFrame({"timestamp": pd.to_datetime(["2026-01-05"], utc=True),
    ...     "source": ["ann"], "target": ["bob"], "channel": ["email"]})
    >>> path = to_gexf(network_tables(events, measures=False), tempfile.mktemp(suffix=".gexf"))
    >>> nx.read_gexf(path).edges(data="weight_email")
    OutEdgeDataView([('ann', 'bob', 1.0)])
    """
    from xml.etree.ElementTree import SubElement

    from networkx.readwrite.gexf import GEXFWriter

    writer = GEXFWriter(encoding="utf-8", prettyprint=True, version="1.2draft")
    writer.add_graph(net.to_networkx(dynamic=dynamic))
    meta = writer.xml.find("meta")
    SubElement(meta, "description").text = (
        f"ona {net.level}-level network. Privacy: {net.privacy} "
        + json.dumps(net.metadata, default=str))
    path = Path(path)
    with open(path, "wb") as fh:
        writer.write(fh)
    return path


def to_graphml(net: NetworkTables, path: str | Path) -> Path:
    """Write ``net`` as GraphML (Cytoscape, yEd); the privacy statement is graph data
    ``ona_privacy``.

    Parameters
    ----------
    net : NetworkTables
    path : str or Path

    Returns
    -------
    Path

    Examples
    --------
    >>> import pandas as pd, tempfile, networkx as nx
    >>> events = pd.DataFrame({"timestamp": pd.to_datetime(["2026-01-05"], utc=True),
    ...     "source": ["ann"], "target": ["bob"], "channel": ["chat"]})
    >>> path = to_graphml(network_tables(events, measures=False), tempfile.mktemp())
    >>> nx.read_graphml(path).graph["ona_level"]
    'person'
    """
    path = Path(path)
    nx.write_graphml(net.to_networkx(), path)
    return path


def _neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that a spreadsheet would run as a formula with an apostrophe."""
    frame = frame.copy()
    for column in frame.columns:
        if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
            text = frame[column].astype("string")
            risky = text.str.startswith(_FORMULA_PREFIXES).fillna(False)
            frame[column] = frame[column].astype(object).where(~risky, "'" + text)
    return frame


def write_tables(net: NetworkTables, folder: str | Path, *, format: str = "csv") -> list[Path]:
    """Write ``nodes`` and ``edges`` (and ``edges_by_month``) as CSV or Parquet in ``folder``,
    with plain column names, and ``metadata.json`` saying what was suppressed.

    CSV cells that a spreadsheet would run as a formula (starting ``=``, ``+``, ``-``, ``@``)
    are prefixed with an apostrophe, as OWASP recommends; Parquet keeps values as they are and
    carries the statement in its schema metadata (key ``ona``).

    Parameters
    ----------
    net : NetworkTables
    folder : str or Path
        Created if needed.
    format : {'csv', 'parquet'}, default 'csv'

    Returns
    -------
    list of Path
        The tables, then ``metadata.json``.

    Examples
    --------
    >>> import pandas as pd, tempfile
    >>> events = pd.DataFrame({"timestamp": pd.to_datetime(["2026-01-05"], utc=True),
    ...     "source": ["ann"], "target": ["bob"], "channel": ["chat"]})
    >>> [p.name for p in write_tables(network_tables(events, measures=False), tempfile.mkdtemp())]
    ['nodes.csv', 'edges.csv', 'metadata.json']
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    about = {"level": net.level, "privacy": net.privacy, **net.metadata}
    tables = {"nodes": net.nodes.reset_index(), "edges": net.edges}
    if net.periods is not None:
        tables["edges_by_month"] = net.periods
    written = []
    for name, frame in tables.items():
        if format == "csv":
            path = folder / f"{name}.csv"
            _neutralise(frame).to_csv(path, index=False)
        else:
            path = folder / f"{name}.parquet"
            table = pa.Table.from_pandas(frame, preserve_index=False)
            meta = {**(table.schema.metadata or {}), b"ona": json.dumps(about, default=str).encode()}
            pq.write_table(table.replace_schema_metadata(meta), path)
        written.append(path)
    meta_path = folder / "metadata.json"
    meta_path.write_text(json.dumps(about, indent=2, default=str) + "\n")
    return [*written, meta_path]


@dataclass
class ExportResult:
    """What :func:`export_network` wrote."""

    paths: list[Path]
    nodes: int
    edges: int
    level: str
    privacy: str

    def to_dict(self) -> dict[str, Any]:
        return {"paths": [str(p) for p in self.paths], "nodes": self.nodes,
                "edges": self.edges, "level": self.level, "privacy": self.privacy}


@validate_params(
    {
        "format": [Options(set(EXPORT_FORMATS))],
        "dynamic": [bool],
    }
)
def export_network(
    workspace: Any,
    out: str | Path,
    *,
    format: str = "gexf",
    level: str = "group",
    groups: str = "team",
    start: Any = None,
    end: Any = None,
    channels: str | list[str] | None = None,
    kinds: str | list[str] | None = None,
    min_group_size: int = MIN_GROUP_SIZE,
    names: bool = False,
    dynamic: bool = False,
    seed: int = 0,
) -> ExportResult:
    """Export a workspace's network (``ona export``): GEXF, GraphML, or CSV/Parquet tables.

    Parameters
    ----------
    workspace : Workspace or path
    out : str or Path
        The file (GEXF, GraphML) or folder (CSV, Parquet tables).
    format : {'gexf', 'graphml', 'csv', 'parquet'}, default 'gexf'
    level, groups, start, end, channels, kinds, min_group_size, names, seed
        As for :func:`network_tables`.
    dynamic : bool, default False
        GEXF with a monthly timeline (Gephi); CSV/Parquet add ``edges_by_month``.

    Returns
    -------
    ExportResult
        The files written, node and tie counts, and the privacy statement.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from ona.datasets import SAMPLE_DIR
    >>> from ona.workspace import open_workspace
    >>> ws = open_workspace(pathlib.Path(tempfile.mkdtemp()) / "ws", create=True)
    >>> _ = ws.import_paths([SAMPLE_DIR / "roster.csv", SAMPLE_DIR / "slack_export.zip"])
    >>> result = export_network(ws, pathlib.Path(tempfile.mkdtemp()) / "teams.gexf")
    >>> result.level, result.nodes
    ('group', 40)
    """
    from ona.workspace import open_workspace

    ws = open_workspace(workspace) if not hasattr(workspace, "interactions") else workspace
    people = ws.people()
    net = network_tables(
        ws.interactions(), people if len(people) else None, level=level, groups=groups,
        start=start, end=end, channels=channels, kinds=kinds, min_group_size=min_group_size,
        pseudonymised=bool(ws.pseudonymised), names=names, by_month=dynamic, seed=seed)
    if dynamic and format == "graphml":
        raise ValueError("GraphML has no timeline: use format='gexf' or the tables for a "
                         "dynamic export")
    out = Path(out)
    if format == "gexf":
        paths = [to_gexf(net, out, dynamic=dynamic)]
    elif format == "graphml":
        paths = [to_graphml(net, out)]
    else:
        paths = write_tables(net, out, format=format)
    return ExportResult(paths, len(net.nodes), len(net.edges), net.level, net.privacy)

