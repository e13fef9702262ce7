"""Trainings and experts ranked against a trainee's learning goals, each with reasons a person reads.

What matters, in the order the trainee would weigh it: the technique and the specialty first (a
training that teaches neither is not recommended at all), then the language of the day, the
place, the level it is meant for, the budget, the seats left and the rating. The points are one
table (``POINTS``), adding up to 100 for a training that fits in every way, so a score reads as
a percentage of fit. How well the order agrees with an educator's choices is measured against a
labelled fixture (tests/unit/test_matching_precision.py).

Techniques and specialties are free text on both sides, so they are compared as words: folded
(case, accents), British and American spellings made one ("anaesthesia", "anesthesia"), simple
suffixes dropped ("endoscopy", "endoscopic"), and a few well-known names of one technique made
one ("TAVR" is "TAVI").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from core.goals import LEVELS, LearningGoals
from core.model import Training, User
from core.reasons import Named, Reason
from core.text import fold
from core.words import N_

POINTS = {
    "technique": 40,  # the training teaches a technique the trainee named
    "technique, related": 28,  # ... one that contains it, or is contained in it ("prostatectomy")
    "specialty": 20,
    "specialty, related": 14,  # "cardiology" for "interventional cardiology"
    "language": 12,  # taught in a language the trainee follows
    "country": 8,
    "level": 6,  # meant for the trainee's stage
    "budget": 5,
    "seats": 3,
    "rating": 6,  # at 5 stars; nothing at 3 or below
    # What counts against: a day in a language one cannot follow is all but useless.
    "no shared language": -45,
    "level, one step off": -6,
    "level, far off": -25,  # a senior operators' masterclass for a resident
    "over budget, a little": -8,  # up to a fifth over
    "over budget": -25,
    "full": -10,  # a waitlist only
}
EXPERT_POINTS = {
    "more sessions": 4,  # each further upcoming session that fits, up to three
    "specialty": 10,  # the expert's own specialty is one of the trainee's
    "language": 5,
    "country": 4,
}
# Names people use for the same technique, folded, each to one of them.
SAME_TECHNIQUE = {
    "tavr": "tavi",
    "transcatheter aortic valve implantation": "tavi",
    "transcatheter aortic valve replacement": "tavi",
    "tavi transcatheter aortic valve implantation": "tavi",
    "transcatheter edge to edge repair": "mitraclip",
    "teer": "mitraclip",
    "mitral teer": "mitraclip",
    "ebus": "ebus tbna",
    "endobronchial ultrasound": "ebus tbna",
    "ecmo": "ecmo cannulation",
    "pcnl": "percutaneous nephrolithotomy",
    "fess": "endoscopic sinus surgery",
    "functional endoscopic sinus surgery": "endoscopic sinus surgery",
    "dbs": "deep brain stimulation",
    "tevar": "thoracic endovascular aortic repair",
    "evar": "endovascular aneurysm repair",
    "ercp": "endoscopic retrograde cholangiopancreatography",
    "pci": "percutaneous coronary intervention",
    "cataract surgery": "phacoemulsification",
    "phaco": "phacoemulsification",
    "ralp": "robotic assisted radical prostatectomy",
    "robotic prostatectomy": "robotic assisted radical prostatectomy",
    "lap chole": "laparoscopic cholecystectomy",
    "regional anaesthesia": "ultrasound guided regional anaesthesia",
    "nerve blocks": "ultrasound guided regional anaesthesia",
}
_SEP = re.compile(r"[^a-z0-9]+")
_SUFFIXES = ("ically", "ical", "ics", "ic", "ies", "al", "y", "s")
_COMMON = frozenset({"and", "of", "the", "in", "for", "with", "a", "an", "to", "surgery", "advanced", "course"})


@dataclass(frozen=True)
class Fit:
    """How well something fits the goals (0 to 100) and why, in sentences."""

    score: int
    reasons: tuple[str, ...]
    points: float = 0.0  # the sum before it is bounded to 0..100: what the order is by

    @staticmethod
    def of(points: float, reasons: list[str]) -> Fit:
        """The fit these points and reasons make."""
        return Fit(max(0, min(100, round(points))), tuple(reasons), points)


@dataclass(frozen=True)
class TrainingMatch:
    training: Training
    fit: Fit


@dataclass(frozen=True)
class ExpertMatch:
    expert: User
    fit: Fit
    trainings: tuple[Training, ...]  # their upcoming sessions that fit, best first


def rank_trainings(goals: LearningGoals, trainings: Iterable[Training]) -> list[TrainingMatch]:
    """The trainings that teach something in the goals, best fit first (then the soonest)."""
    matches = [TrainingMatch(t, fit) for t in trainings if (fit := training_fit(goals, t)) is not None]
    return sorted(matches, key=lambda m: (-m.fit.points, m.training.starts_at or datetime.max, m.training.id))


def training_fit(goals: LearningGoals, training: Training) -> Fit | None:
    """The training's fit and its reasons; None if it teaches nothing the goals name."""
    points = 0.0
    reasons: list[str] = []
    taught = _topic_fit(goals, training.technique, training.specialty, training.title)
    if taught is None:
        return None
    points += taught[0]
    reasons += taught[1]

    shared = [lang for lang in training.languages if lang in goals.languages]
    if shared:
        points += POINTS["language"]
        reasons.append(Reason(N_("Taught in %(language)s"), language=Named("language", shared[0])))
    elif goals.languages and training.languages:
        points += POINTS["no shared language"]

    country = training.venue.country
    if country and country in goals.countries:
        points += POINTS["country"]
        reasons.append(Reason(N_("Held in %(country)s, where you want to train"), country=Named("country", country)))

    points += _level_points(goals.level, training.levels, reasons)
    points += _budget_points(goals, training, reasons)

    left = training.seats_left if training.seats_left is not None else training.capacity  # none booked yet
    if left is not None:
        if left == 0:
            points += POINTS["full"]
        else:
            points += POINTS["seats"]
            if left <= 3:
                reasons.append(
                    Reason(N_("Only %(left)s seat left") if left == 1 else N_("Only %(left)s seats left"), left=left)
                )
    points += _rating_points(training.rating_average, training.rating_count, reasons)
    return Fit.of(points, reasons)


def rank_experts(
    goals: LearningGoals, experts: Iterable[User], upcoming: Mapping[str, list[Training]]
) -> list[ExpertMatch]:
    """The experts who teach what the goals name, or practise the specialty, best fit first.

    ``upcoming``: each expert's upcoming published trainings, by expert id.
    """
    matches = []
    for expert in experts:
        fits = rank_trainings(goals, upcoming.get(expert.id, []))
        reasons: list[str] = []
        points = 0.0
        if fits:
            best = fits[0]
            points += best.fit.score * 0.6
            topic = best.training.technique or best.training.specialty or best.training.title
            reasons.append(Reason(N_("Teaches %(topic)s, in line with your goals"), topic=topic))
            if len(fits) > 1:
                points += EXPERT_POINTS["more sessions"] * min(len(fits) - 1, 3)
                reasons.append(Reason(N_("%(count)s upcoming sessions that fit your goals"), count=len(fits)))
        if expert.specialty and any(_related(s, expert.specialty) for s in goals.specialties):
            points += EXPERT_POINTS["specialty"]
            reasons.append(Reason(N_("Practises %(specialty)s, one of your specialties"), specialty=expert.specialty))
        if not fits and not reasons:
            continue
        spoken = [lang for lang in expert.languages if lang in goals.languages]
        if spoken:
            points += EXPERT_POINTS["language"]
            reasons.append(Reason(N_("Speaks %(language)s"), language=Named("language", spoken[0])))
        if expert.country and expert.country in goals.countries:
            points += EXPERT_POINTS["country"]
            reasons.append(Reason(N_("Works in %(country)s"), country=Named("country", expert.country)))
        points += _rating_points(expert.rating_average, expert.rating_count, reasons)
        fit = Fit.of(points, reasons)
        matches.append(ExpertMatch(expert, fit, tuple(m.training for m in fits)))
    return sorted(matches, key=lambda m: (-m.fit.points, m.expert.name, m.expert.id))


def _topic_fit(
    goals: LearningGoals, technique: str | None, specialty: str | None, title: str
) -> tuple[int, list[str]] | None:
    points = 0
    reasons: list[str] = []
    named = [g for g in goals.techniques if technique and _same_technique(g, technique)]
    related = [g for g in goals.techniques if g not in named and _related(g, technique or "", title)]
    if named:
        points += POINTS["technique"]
        reasons.append(Reason(N_("%(technique)s is one of your goals"), technique=named[0]))
    elif related:
        points += POINTS["technique, related"]
        reasons.append(
            Reason(
                N_("Teaches %(technique)s, close to %(goal)s, one of your goals"), technique=technique, goal=related[0]
            )
        )
    same = [s for s in goals.specialties if specialty and _stems(s) == _stems(specialty)]
    near = [s for s in goals.specialties if s not in same and specialty and _related(s, specialty)]
    if same:
        points += POINTS["specialty"]
        reasons.append(Reason(N_("In %(specialty)s, your specialty"), specialty=specialty))
    elif near:
        points += POINTS["specialty, related"]
        reasons.append(Reason(N_("In %(specialty)s, close to %(goal)s"), specialty=specialty, goal=near[0]))
    return (points, reasons) if reasons else None


def _level_points(level: str | None, levels: list[str], reasons: list[str]) -> int:
    if level not in LEVELS or not levels:
        return 0  # no stage given, or a day for any level
    if level in levels:
        reasons.append(Reason(N_("Meant for %(level)s like you"), level=Named("level", level)))
        return POINTS["level"]
    distance = min(abs(LEVELS.index(level) - LEVELS.index(x)) for x in levels if x in LEVELS)
    return POINTS["level, one step off"] if distance == 1 else POINTS["level, far off"]


def _budget_points(goals: LearningGoals, training: Training, reasons: list[str]) -> int:
    budget = goals.budget
    if budget is None or training.price is None or (training.currency or "").lower() != budget.currency.lower():
        return 0  # no budget, or prices in another currency: not compared
    if training.price <= budget.amount:
        reasons.append(
            Reason(N_("Within your budget of %(budget)s"), budget=Named("money", (budget.amount, budget.currency)))
        )
        return POINTS["budget"]
    return POINTS["over budget, a little"] if training.price <= budget.amount * 1.2 else POINTS["over budget"]


def _rating_points(average: float | None, count: int, reasons: list[str]) -> float:
    if average is None or count < 1:
        return 0
    if average >= 4:
        rated = (
            N_("Rated %(rating)s by %(count)s trainee") if count == 1 else N_("Rated %(rating)s by %(count)s trainees")
        )
        reasons.append(Reason(rated, rating=Named("rating", average), count=count))
    return max(0.0, (average - 3) / 2) * POINTS["rating"]


def _norm(text: str) -> str:
    """Folded words joined by single spaces, British spellings as American ones."""
    folded = " ".join(_SEP.split(fold(text))).strip()
    return folded.replace("ae", "e").replace("oe", "e")


_ALIASES = {_norm(name): _norm(one) for name, one in SAME_TECHNIQUE.items()}


def _canonical(text: str) -> str:
    norm = _norm(text)
    return _ALIASES.get(norm, norm)


def _same_technique(goal: str, technique: str) -> bool:
    return _canonical(goal) == _canonical(technique) or _stems(_canonical(goal)) == _stems(_canonical(technique))


def _stems(text: str) -> frozenset[str]:
    return frozenset(_stem(w) for w in _norm(text).split() if w not in _COMMON)


def _stem(word: str) -> str:
    if len(word) > 5:
        for suffix in _SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= 4:
                return word[: -len(suffix)]
    return word


def _related(goal: str, *texts: str) -> bool:
    """Every meaningful word of the goal is among the texts' words, or the other way round."""
    wanted = _stems(_canonical(goal))
    if not wanted:
        return False
    for text in texts:
        have = _stems(_canonical(text)) if text else frozenset()
        if have and (wanted <= have or have <= wanted):
            return True
    return False


def about(wanted: str, *texts: str | None) -> bool:
    """Whether any of the texts is about ``wanted`` (a technique or a specialty), as the ranking compares them."""
    present = [t for t in texts if t]
    return any(_same_technique(wanted, t) for t in present) or _related(wanted, *present)
