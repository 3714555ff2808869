"""The name-generator questions of published ONA instruments, by short name.

Each question is a :class:`Question`: its short name (the layer name, the ``kind`` of its
interactions), the text put to respondents, whether answers carry a rating and on what scale,
the direction of its ties and the source the wording follows. ``ona survey template`` writes
them into a survey instrument; :func:`ona.read_survey` recognises their texts in an export and
names the layers after them.

References
----------
Cross, R. and Parker, A. (2004). The Hidden Power of Social Networks: Understanding How Work
Really Gets Done in Organizations. Harvard Business School Press. ISBN 978-1-59139-270-4.

Krackhardt, D. (1987). Cognitive social structures. Social Networks 9(2), 109-134.
https://doi.org/10.1016/0378-8733(87)90009-8

Cross, R., Baker, W. and Parker, A. (2003). What creates energy in organizations? MIT Sloan
Management Review 44(4), 51-56.

Baker, W., Cross, R. and Wooten, M. (2003). Positive organizational network analysis and
energizing relationships. In K. S. Cameron, J. E. Dutton and R. E. Quinn (eds.), Positive
Organizational Scholarship, 328-342. Berrett-Koehler.

Cross, R., Rebele, R. and Grant, A. (2016). Collaborative overload. Harvard Business Review
94(1), 74-79.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["ENERGY_SCALE", "QUESTIONS", "Question", "layer_name"]

# Cross, Baker and Parker's five-point energy scale, recoded -2..+2 (0 = neutral).
ENERGY_SCALE: dict[str, float] = {
    "strongly de-energizing": -2, "very de-energizing": -2, "strongly de-energising": -2,
    "very de-energising": -2, "somewhat de-energizing": -1, "somewhat de-energising": -1,
    "neutral": 0, "somewhat energizing": 1, "somewhat energising": 1,
    "strongly energizing": 2, "very energizing": 2, "strongly energising": 2, "very energising": 2,
}  # fmt: skip


@dataclass(frozen=True)
class Question:
    """One name-generator question of an instrument."""

    name: str
    text: str
    source: str
    direction: str  # what a tie respondent -> nominee means
    rating: str | None = None  # the rating question asked about each person named, if any
    scale: dict[str, float] = field(default_factory=dict)
    signed: bool = False


QUESTIONS: dict[str, Question] = {
    q.name: q
    for q in (
        Question(
            "info",
            "Who do you turn to for information that is important to your work?",
            "after Cross and Parker (2004), the information network of their instrument",
            "respondent seeks information from nominee",
        ),
        Question(
            "advice",
            "Who do you go to for help or advice at work?",
            "after Krackhardt (1987), the advice question, asked of the respondent",
            "respondent seeks advice from nominee",
        ),
        Question(
            "energy",
            "Who do you interact with regularly at work?",
            "Cross, Baker and Parker (2003); Baker, Cross and Wooten (2003): the energy rating",
            "respondent rates the energy of interacting with nominee",
            rating="When you typically interact with this person, how does it affect your energy "
            "level? (-2 = strongly de-energizing, 0 = neutral, +2 = strongly energizing)",
            scale=ENERGY_SCALE,
            signed=True,
        ),
        Question(
            "requests",
            "Whose requests for information, help or your time take up a significant part of "
            "your week?",
            "ona's wording, after the demand side of Cross, Rebele and Grant (2016)",
            "nominee makes requests of respondent",
        ),
    )
}

_SLUG = re.compile(r"[^a-z0-9]+")


def layer_name(text: str) -> str:
    """The layer name of a question: its short name if it is an instrument's, else a slug.

    Examples
    --------
    >>> layer_name("Who do you go to for help or advice at work?")
    'advice'
    >>> layer_name("Who helps you solve problems?")
    'who_helps_you_solve_problems'
    """
    folded = " ".join(text.casefold().split())
    for q in QUESTIONS.values():
        if folded in (q.text.casefold(), q.name) or (q.rating and folded == q.rating.casefold()):
            return q.name
    slug = _SLUG.sub("_", folded).strip("_")[:48].rstrip("_")
    if not slug or not slug[0].isalpha():
        slug = ("q_" + slug)[:48].rstrip("_")
    return slug
