"""ONA surveys: name-generator answers (who do you turn to for information, advice...) as ties.

Each nomination "respondent named nominee in answer to question" becomes one interaction with
``channel="survey"``, ``kind`` = the question's layer name, ``weight`` = the rating the
question carries (frequency, importance, energy on -2..+2) or 1, and ``timestamp`` = the
response time (or ``survey_date``). Ties point respondent -> nominee, i.e. seeker -> source for
an advice question (measures.md §1).

Export styles (CSV or XLSX, detected from the header):

* **long**: one row per nomination: ``respondent``, ``question``, ``nominee`` and optionally
  ``rating`` and a time column (Polinode-style and hand-made exports);
* **multi-select**: one row per respondent (a form tool: Google Forms, Microsoft Forms), the
  respondent in an e-mail column (``Email Address``, ``Email``, ``RecipientEmail``,
  ``Respondent``), each question's checkbox answer as names joined by ``", "`` or ``";"``; a
  rating grid is one column per person, ``Question [Name]``;
* **numbered**: one row per respondent (Qualtrics-style), numbered text-entry columns per
  question (``Q1_1``, ``Q1_2``...) with the question text in a second header row (and an
  optional third ``{"ImportId": ...}`` row); side-by-side questions give the names in
  ``Q3#1_1``... and each name's rating in ``Q3#2_1``...; ``Finished`` and ``Progress`` mark
  partial responses.

``questions`` maps a question (its text, its column, or its ``Q`` id) to a layer name, or to
``{"layer": ..., "rating": <Q id of the rating columns>, "scale": {label: value}}``; it may be
the import mapping JSON that ``ona survey template`` writes. By default every question column
is read and named after the instrument it comes from (:data:`ona.survey_questions.QUESTIONS`)
or a slug of its text.

Names are matched to the roster by exact rules only (:mod:`ona.importers._survey_names`);
unknown and ambiguous names, nominations by people not on the roster, self-nominations and
repeated nominations are rejected with their reason, and ``extras["suggestions"]`` lists
possible people for the unknown and ambiguous names (never applied). A record is one
nomination (in the long style, one row: a row naming no one is imported with no tie), so
``read = imported + duplicates + rejected``. A respondent who answered twice (two rows of a
form) counts once: the later response; the earlier one's nominations are rejected as
superseded.

``extras`` also holds ``respondents`` (one row per response: status ``complete``, ``partial``,
``superseded`` or ``unidentified``, questions answered, nominations), ``names`` (every distinct
name written, how it was matched), ``layers`` (questions read) and, with a roster,
``response_rates`` (see :func:`ona.survey.response_rates`). Respondents are also recorded as
affiliations (``group_type`` ``survey_complete`` or ``survey_partial``), so a workspace keeps
who responded, pseudonymised like every identity.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ona._deps import import_optional
from ona._validation import Interval, validate_params
from ona.exceptions import BadInputError
from ona.importers._base import ON_BAD_LINES, Reader, ReadResult, Record, Rejected
from ona.importers._io import open_binary
from ona.importers._survey_names import NO_ONE, NameMatcher
from ona.importers._tabular import _decode, _dialect
from ona.importers.csv_interactions import _parse_time
from ona.survey_questions import QUESTIONS, layer_name

__all__ = ["SurveyReader", "detect", "read_survey"]

_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".csv.gz")


def _norm(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", name.lower())


RESPONDENT = ("emailaddress", "email", "recipientemail", "respondent", "respondentemail",
              "respondentid", "ego", "username")  # fmt: skip
LONG_QUESTION = ("question", "questiontext", "item", "relation", "layer")
LONG_NOMINEE = ("nominee", "nomineename", "nomineeemail", "alter", "nominated", "answer", "choice")
LONG_RATING = ("rating", "weight", "score", "value", "strength", "frequency", "importance")
TIME = ("timestamp", "enddate", "recordeddate", "submittedat", "submitted", "completiontime",
        "responsetime", "time", "date")  # fmt: skip
# Columns form tools and survey platforms add that are not questions.
METADATA = {_norm(c) for c in (
    "Timestamp", "StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)",
    "Finished", "RecordedDate", "ResponseId", "RecipientLastName", "RecipientFirstName",
    "ExternalReference", "LocationLatitude", "LocationLongitude", "DistributionChannel",
    "UserLanguage", "ID", "Start time", "Completion time", "Name", "Last modified time",
    "Score", "Total score", "Submitted", "Submission ID",
)}  # fmt: skip
_NUMBERED = re.compile(r"^(Q\d+)(?:#(\d+))?_(\d+)$", re.IGNORECASE)
_GRID = re.compile(r"^(.*\S)\s*\[(.+)\]\s*$")
_SPLIT = re.compile(r";\s*|,\s+")


def _find(names: list[str], wanted: tuple[str, ...]) -> str | None:
    by_norm = {_norm(n): n for n in reversed(names)}
    return next((by_norm[w] for w in wanted if w in by_norm), None)


# --------------------------------------------------------------------------- reading grids


def _grid(path: Path) -> list[tuple[int, list[str]]]:
    """Every row of the first sheet or the CSV, with its line (or sheet row) number."""
    if path.suffix.lower() == ".xlsx":
        openpyxl = import_optional("openpyxl", extra="xlsx", purpose="reading .xlsx files")
        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - zip and XML errors of a broken workbook
            raise BadInputError(str(path), None, f"not a readable workbook ({type(exc).__name__})") from None
        rows = book.worksheets[0].iter_rows(values_only=True)
        return [(i, ["" if v is None else str(v).strip() for v in row]) for i, row in enumerate(rows, 1)]
    with open_binary(path) as fh:
        text = _decode(fh.read())
    reader = csv.reader(io.StringIO(text, newline=""), dialect=_dialect(text[:8192]))
    out = []
    try:
        for row in reader:
            out.append((reader.line_num, [c.strip() for c in row]))
    except csv.Error as exc:
        raise BadInputError(str(path), f"line {reader.line_num}", f"malformed CSV ({exc})") from None
    return out


def _style(header: list[str]) -> str | None:
    names = [h for h in header if h]
    if not names:
        return None
    if _find(names, RESPONDENT + ("respondent",)) and _find(names, LONG_QUESTION) and _find(names, LONG_NOMINEE):
        return "long"
    if any(_NUMBERED.match(h) for h in names):
        return "numbered"
    respondent = _find(names, RESPONDENT)
    questions = [h for h in names if _norm(h) not in METADATA and h != respondent]
    if respondent and questions and any("?" in q or _GRID.match(q) for q in questions):
        return "multiselect"
    return None


def detect(path: str | Path) -> bool:
    """A survey export: a respondent column and question columns (see the module docstring)."""
    path = Path(path)
    if not path.is_file() or not path.name.lower().endswith(_SUFFIXES):
        return False
    try:
        if path.suffix.lower() == ".xlsx":
            rows = _grid(path)[:1]
        else:
            with open_binary(path) as fh:
                first = _decode(fh.read(65536)).splitlines()[:1]
            rows = [(1, next(csv.reader(first, dialect=_dialect("\n".join(first))), []))] if first else []
    except (OSError, BadInputError, EOFError, ValueError):
        return False
    return bool(rows) and _style([c.strip() for c in rows[0][1]]) is not None


# --------------------------------------------------------------------------- questions


@dataclass(frozen=True)
class _Spec:
    layer: str
    rating: str | None = None  # Q id of the rating columns (numbered style)
    scale: Mapping[str, float] = field(default_factory=dict)


def _load_mapping(questions: Any) -> dict[str, Any]:
    if questions is None:
        return {}
    if isinstance(questions, (str, Path)):
        try:
            data = json.loads(Path(questions).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise BadInputError(str(questions), None, f"not a readable import mapping ({type(exc).__name__})") from None
        questions = data.get("questions", data) if isinstance(data, dict) else data
    if not isinstance(questions, Mapping):
        raise BadInputError("questions", None, "the import mapping must map questions to layers")
    return dict(questions)


class _Questions:
    """Question (text, column or Q id) -> layer spec; unmapped questions when none is given."""

    def __init__(self, mapping: dict[str, Any]):
        self.given = bool(mapping)
        self.specs: dict[str, _Spec | None] = {}
        for key, value in mapping.items():
            k = " ".join(str(key).casefold().split())
            if value is None or value == "":
                self.specs[k] = None
            elif isinstance(value, str):
                self.specs[k] = _Spec(value, None, QUESTIONS[value].scale if value in QUESTIONS else {})
            else:
                layer = value.get("layer") or layer_name(str(key))
                scale = value.get("scale") or (QUESTIONS[layer].scale if layer in QUESTIONS else {})
                self.specs[k] = _Spec(layer, value.get("rating"), {s.casefold(): float(v) for s, v in scale.items()})

    def spec(self, *keys: str) -> _Spec | None:
        for key in keys:
            k = " ".join(key.casefold().split())
            if k in self.specs:
                return self.specs[k]
        if self.given:
            return None
        text = keys[-1]
        layer = layer_name(text)
        return _Spec(layer, None, QUESTIONS[layer].scale if layer in QUESTIONS else {})


# --------------------------------------------------------------------------- responses


@dataclass
class _Answer:
    layer: str
    nominee: str
    rating: str | None
    location: str
    scale: Mapping[str, float] = field(default_factory=dict)


@dataclass
class _Response:
    location: str
    respondent: str
    when: str
    finished: bool | None
    asked: set[str]
    answers: list[_Answer]


def _finished(row: dict[str, str]) -> bool | None:
    flag = row.get("finished")
    if flag:
        return flag.strip().casefold() in ("1", "true", "yes")
    progress = row.get("progress")
    if progress:
        try:
            return float(progress) >= 100
        except ValueError:
            return None
    return None


def _meta(header: list[str], values: list[str]) -> dict[str, str]:
    row = dict(zip(header, values, strict=False))
    out = {}
    for name, wanted in (("respondent", RESPONDENT), ("when", TIME), ("finished", ("finished",)),
                         ("progress", ("progress",))):  # fmt: skip
        col = _find(header, wanted)
        out[name] = row.get(col, "") if col else ""
    return out


def _long(rows: list[tuple[int, list[str]]], questions: _Questions) -> tuple[list[_Response], Counter]:
    header = rows[0][1]
    cols = {name: _find(header, wanted) for name, wanted in (
        ("respondent", RESPONDENT + ("respondent",)), ("question", LONG_QUESTION),
        ("nominee", LONG_NOMINEE), ("rating", LONG_RATING))}  # fmt: skip
    notes: Counter = Counter()
    by_respondent: dict[str, _Response] = {}
    out = []
    for line, values in rows[1:]:
        if not any(values):
            continue
        row = dict(zip(header, values, strict=False))
        meta = _meta(header, values)
        respondent = row.get(cols["respondent"] or "", "")
        question = row.get(cols["question"] or "", "")
        spec = questions.spec(question) if question else None
        if question and spec is None:
            notes["rows of questions not in the mapping, ignored"] += 1
            continue
        response = by_respondent.get(respondent)
        if response is None or not respondent:
            response = _Response(f"line {line}", respondent, meta["when"], _finished(meta), set(), [])
            out.append(response)
            if respondent:
                by_respondent[respondent] = response
        response.when = response.when or meta["when"]
        layer = spec.layer if spec else ""
        if layer:
            response.asked.add(layer)
        rating = row.get(cols["rating"] or "") or None
        response.answers.append(_Answer(layer, row.get(cols["nominee"] or "", ""), rating, f"line {line}",
                                        spec.scale if spec else {}))  # fmt: skip
    return out, notes


def _wide_answers(
    header: list[str], values: list[str], line: int, questions: _Questions, texts: dict[str, str]
) -> tuple[set[str], list[_Answer], Counter]:
    """The answers of one multi-select or numbered row."""
    row = dict(zip(header, values, strict=False))
    asked: set[str] = set()
    answers: list[_Answer] = []
    skipped: Counter = Counter()
    respondent = _find(header, RESPONDENT)
    ratings: dict[tuple[str, str], str] = {}  # (Q id, k) -> rating
    for col in header:
        m = _NUMBERED.match(col)
        if m and m.group(2) == "2":
            ratings[(m.group(1).upper(), m.group(3))] = row.get(col, "")
    for col in header:
        if not col or col == respondent or _norm(col) in METADATA:
            continue
        m = _NUMBERED.match(col)
        grid = _GRID.match(col) if not m else None
        cell = row.get(col, "")
        if m:
            if m.group(2) not in (None, "1"):
                continue  # a rating column, read with its name column
            qid, k = m.group(1).upper(), m.group(3)
            spec = questions.spec(qid, texts.get(col, qid))
        elif grid:
            spec = questions.spec(col, grid.group(1))
        else:
            spec = questions.spec(col)
        if spec is None:
            skipped[col] += 1
            continue
        asked.add(spec.layer)
        where = f"line {line}, column {col}"
        if m:
            if spec.rating:
                rating = row.get(f"{spec.rating}_{k}") or row.get(f"{spec.rating.upper()}_{k}")
            else:
                rating = ratings.get((qid, k))
            if cell or rating:
                answers.append(_Answer(spec.layer, cell, rating or None, where, spec.scale))
        elif grid:
            if cell:
                answers.append(_Answer(spec.layer, grid.group(2), cell, where, spec.scale))
        else:
            for name in (n.strip() for n in _SPLIT.split(cell) if n.strip()):
                answers.append(_Answer(spec.layer, name, None, where, spec.scale))
    return asked, answers, skipped


def _wide(rows: list[tuple[int, list[str]]], style: str, questions: _Questions) -> tuple[list[_Response], Counter]:
    header = rows[0][1]
    body = rows[1:]
    texts: dict[str, str] = {}
    if style == "numbered" and body:
        # second header row: "question text - Person 1"; an optional third {"ImportId": ...} row
        texts = {c: t.split(" - ")[0].strip() for c, t in zip(header, body[0][1], strict=False)}
        body = body[1:]
        if body and any(v.startswith('{"ImportId"') for v in body[0][1]):
            body = body[1:]
    notes: Counter = Counter()
    out = []
    for line, values in body:
        if not any(values):
            continue
        meta = _meta(header, values)
        asked, answers, skipped = _wide_answers(header, values, line, questions, texts)
        out.append(_Response(f"line {line}", meta["respondent"], meta["when"], _finished(meta), asked, answers))
        if skipped and not notes.get("columns not in the mapping, ignored"):
            notes["columns not in the mapping, ignored"] = len(skipped)
    return out, notes


# --------------------------------------------------------------------------- the reader


class SurveyReader(Reader):
    """Reader of a survey export (see the module docstring).

    Parameters
    ----------
    path : str or Path
    roster : DataFrame, ReadResult, path or None
        The People table names are matched against. Without one, e-mail addresses are kept as
        handles (for the workspace's identity resolution) and names are rejected.
    questions : mapping or path, optional
        Question -> layer name or spec, or an import mapping JSON file.
    survey_date : str or Timestamp, optional
        The time of responses whose export has none.
    on_bad_lines : {'error', 'warn', 'skip'}
    """

    format = "survey"
    channel = "survey"
    needs_roster = True  # the workspace passes the roster it resolves identities with

    def __init__(
        self,
        path: str | Path,
        *,
        roster: Any = None,
        questions: Any = None,
        survey_date: Any = None,
        on_bad_lines: str = "warn",
    ):
        super().__init__(path, on_bad_lines=on_bad_lines)
        if roster is not None and not isinstance(roster, pd.DataFrame):
            from ona._aliases import _as_people

            roster = _as_people(roster)
        self.roster = roster if roster is not None and len(roster) else None
        self.questions = _Questions(_load_mapping(questions))
        self.survey_date = None if survey_date is None else pd.Timestamp(survey_date)
        if self.survey_date is not None and self.survey_date.tzinfo is None:
            self.survey_date = self.survey_date.tz_localize("UTC")
        self.matcher = NameMatcher(self.roster)
        self.survey = self.path.stem
        self._respondents: list[dict[str, Any]] = []
        self._names: Counter = Counter()
        self._layers: Counter = Counter()

    @classmethod
    def detect(cls, path: Path) -> bool:
        return detect(path)

    def _time(self, text: str) -> tuple[Any, str] | None:
        parsed = _parse_time(text) if text else None
        if parsed is None and self.survey_date is not None:
            return self.survey_date.to_pydatetime(), "date_only"
        return parsed

    def records(self) -> Iterator[Record | Rejected]:
        rows = [(n, r) for n, r in _grid(self.path)]
        while rows and not any(rows[0][1]):
            rows.pop(0)
        style = _style(rows[0][1]) if rows else None
        if style is None:
            raise BadInputError(str(self.path), "line 1", "not a survey export (no respondent and question columns)")
        self.note(f"style: {style}")
        if style == "long":
            responses, notes = _long(rows, self.questions)
        else:
            responses, notes = _wide(rows, style, self.questions)
        for what, n in notes.items():
            self.note(what, n)
        yield from self._nominations(responses, style)

    def _nominations(self, responses: list[_Response], style: str) -> Iterator[Record | Rejected]:
        # who each response is from; a respondent's later row supersedes an earlier one
        latest: dict[str, int] = {}
        identified: list[str | None] = []
        for i, r in enumerate(responses):
            m = self.matcher.match(r.respondent) if r.respondent else None
            pid = m.person_id if m is not None and m.status in ("matched", "handle") else None
            identified.append(pid)
            if pid is not None:
                latest[pid] = i
        seen: set[tuple[str, str, str]] = set()
        for i, (r, pid) in enumerate(zip(responses, identified, strict=True)):
            superseded = pid is not None and latest[pid] != i
            named = [a for a in r.answers if a.nominee and a.nominee.casefold() not in NO_ONE]
            # in the long style a row naming no one still answers its question
            answered = {a.layer for a in (r.answers if style == "long" else named)}
            if not r.respondent:
                why = "no respondent"
            elif pid is None:
                why = f"respondent {self.matcher.match(r.respondent).status.replace('_', ' ')}"
                why = "respondent not on the roster" if why == "respondent unknown" else why
            else:
                why = None
            status = ("unidentified" if why else "superseded" if superseded
                      else "partial" if r.finished is False or (r.finished is None and answered < r.asked)
                      else "complete")  # fmt: skip
            imported = 0
            if why and not named and style != "long":
                yield Rejected(r.location, f"response with {why}")
            for a in r.answers:
                if not a.nominee or a.nominee.casefold() in NO_ONE:
                    if style == "long":  # the row is a record: an answer naming no one
                        self.note("answers naming no one")
                        yield Record(f"{pid or r.respondent}\x1f{a.layer}\x1f-\x1f{a.location}", a.location, [])
                    elif a.rating:
                        yield Rejected(a.location, "rating without a nominee")
                    continue
                item = self._nomination(r, a, pid, why, superseded, seen)
                if isinstance(item, Record):
                    imported += 1
                yield item
            self._respondents.append({
                "location": r.location, "respondent": pid, "status": status,
                "finished": r.finished, "questions_asked": len(r.asked),
                "questions_answered": len(answered), "nominations": imported,
            })  # fmt: skip
            if status in ("complete", "partial") and pid is not None:
                self.add_affiliation(pid, self.survey, f"survey_{status}")

    def _nomination(
        self, r: _Response, a: _Answer, pid: str | None, why: str | None, superseded: bool,
        seen: set[tuple[str, str, str]],
    ) -> Record | Rejected:
        match = self.matcher.match(a.nominee)
        self._names[(a.nominee, match.status, match.person_id or "", match.rule)] += 1
        if why:
            return Rejected(a.location, why)
        if superseded:
            return Rejected(a.location, "superseded by a later response of the same respondent", excluded=True)
        if match.status == "no_roster":
            return Rejected(a.location, "a name, but no roster to match it against")
        if match.status in ("unknown", "ambiguous"):
            return Rejected(a.location, f"{match.status} name")
        nominee = match.person_id
        if nominee == pid:
            return Rejected(a.location, "self-nomination", excluded=True)
        if (pid, a.layer, nominee) in seen:
            return Rejected(a.location, "duplicate nomination", excluded=True)
        weight = 1.0
        if a.rating:
            value = a.scale.get(a.rating.casefold()) if a.scale else None
            try:
                weight = float(a.rating) if value is None else value
            except ValueError:
                return Rejected(a.location, "unreadable rating")
            if weight != weight or abs(weight) == float("inf"):
                return Rejected(a.location, "unreadable rating")
        when = self._time(r.when)
        if when is None:
            return Rejected(a.location, "no response time (give survey_date)")
        seen.add((pid, a.layer, nominee))
        self._layers[a.layer] += 1
        event = {"timestamp": when[0], "source": pid, "target": nominee, "kind": a.layer,
                 "channel": "survey", "weight": weight, "time_quality": when[1],
                 "container": self.survey}  # fmt: skip
        return Record(f"{pid}\x1f{a.layer}\x1f{nominee}", a.location, [event])

    def extras(self) -> dict[str, pd.DataFrame]:
        names = pd.DataFrame(
            [(*k, n) for k, n in sorted(self._names.items())],
            columns=["name", "status", "person_id", "rule", "nominations"],
        ).astype({"name": "string", "status": "string", "person_id": "string", "rule": "string"})
        names["person_id"] = names["person_id"].replace("", pd.NA)
        suggestions = pd.DataFrame(
            [(name, pid, why) for name in names.loc[names["status"].isin(["unknown", "ambiguous"]), "name"].unique()
             for pid, why in self.matcher.match(name).suggestions],
            columns=["name", "person_id", "reason"], dtype="string",
        )  # fmt: skip
        respondents = pd.DataFrame(self._respondents, columns=[
            "location", "respondent", "status", "finished", "questions_asked", "questions_answered", "nominations"])
        layers = pd.DataFrame(sorted(self._layers.items()), columns=["layer", "nominations"])
        return {"respondents": respondents, "names": names, "suggestions": suggestions, "layers": layers}


@validate_params({"on_bad_lines": [ON_BAD_LINES], "min_group_size": [Interval(int, 1)]})
def read_survey(
    path: str | Path,
    *,
    roster: Any = None,
    questions: Mapping[str, Any] | str | Path | None = None,
    survey_date: Any = None,
    on_bad_lines: str = "warn",
    min_group_size: int = 5,
) -> ReadResult:
    """Read an ONA survey export: nominations as ties, names matched to the roster exactly.

    Parameters
    ----------
    path : str or Path
        The export: CSV (any delimiter, UTF-8 or cp1252) or XLSX (the ``xlsx`` extra), in the
        long, multi-select or numbered style (see :mod:`ona.importers.survey`).
    roster : DataFrame, ReadResult or path, optional
        The People table (:func:`ona.read_roster`) names and respondents are matched against.
        Without one only e-mail addresses are kept (as handles); names are rejected.
    questions : mapping or path, optional
        Question text, column or ``Q`` id -> layer name, or ``{"layer", "rating", "scale"}``;
        or the import mapping JSON written by ``ona survey template``. Default: every question
        column, named after its instrument (:data:`ona.survey_questions.QUESTIONS`) or a slug
        of its text. With a mapping, unmapped question columns are ignored (and counted).
    survey_date : str or Timestamp, optional
        The time of responses whose export has none.
    on_bad_lines : {'warn', 'error', 'skip'}
        What to do with a nomination that cannot be used (unknown or ambiguous name,
        respondent not on the roster, unreadable rating); counted either way.
    min_group_size : int, default 5
        For the group response rates in ``extras["response_rates"]``.

    Returns
    -------
    ReadResult
        ``interactions`` (``channel="survey"``, ``kind`` = layer), the accounting, and
        ``extras``: ``respondents``, ``names``, ``suggestions``, ``layers`` and, with a roster,
        ``response_rates``. A response rate below 70 % is warned about
        (:class:`ona.survey.LowResponseWarning`).

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "answers.csv").write_text(
    ...     "Timestamp,Email Address,Who do you go to for help or advice at work?\\n"
    ...     "2026-03-02 10:00:00,ann@corp.com,\\"Bo Yu, Cy Ng\\"\\n"
    ...     "2026-03-02 11:00:00,bo@corp.com,Ann Lee; Zed Unknown\\n")
    >>> roster = pd.DataFrame({"person_id": ["ann@corp.com", "bo@corp.com", "cy@corp.com"],
    ...                        "name": ["Ann Lee", "Bo Yu", "Cy Ng"], "department": "Sales"})
    >>> r = read_survey(d / "answers.csv", roster=roster, on_bad_lines="skip")
    >>> r.interactions[["source", "target", "kind"]].values.tolist()
    [['ann@corp.com', 'bo@corp.com', 'advice'], ['ann@corp.com', 'cy@corp.com', 'advice'], ['bo@corp.com', 'ann@corp.com', 'advice']]
    >>> r.report.total()["rejected"]
    {'unknown name': 1}
    """
    reader = SurveyReader(path, roster=roster, questions=questions, survey_date=survey_date,
                          on_bad_lines=on_bad_lines)  # fmt: skip
    result = reader.read()
    if reader.roster is not None:
        from ona.survey import response_rates

        result.extras["response_rates"] = response_rates(
            result.extras["respondents"], reader.roster, min_group_size=min_group_size)
    return result
