"""Ranking against learning goals: technique and specialty first, then language, place, level, budget, seats, rating."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.goals import Budget, LearningGoals
from core.matching import POINTS, about, rank_experts, rank_trainings, training_fit
from core.model import Role, Training, TrainingStatus, User, Venue, Verification

NOW = datetime.now(UTC)


def _training(tid: str, **fields) -> Training:
    values = {
        "title": "A day in the cath lab", "specialty": "interventional cardiology", "technique": "TAVI",
        "languages": ["en"], "venue": Venue(city="Paris", country="FR"), "capacity": 6, "price": 100_000,
        "currency": "eur", "starts_at": NOW + timedelta(days=30),
    }  # fmt: skip
    values.update(fields)
    return Training(id=tid, expert_id=values.pop("expert_id", "e1"), status=TrainingStatus.PUBLISHED,
                    created_at=NOW, updated_at=NOW, **values)  # fmt: skip


def _goals(**fields) -> LearningGoals:
    return LearningGoals(trainee_id="t", **{"techniques": ["TAVI"], **fields})


def test_a_training_that_teaches_nothing_in_the_goals_is_not_recommended():
    goals = _goals(specialties=["urology"], techniques=["percutaneous nephrolithotomy"])
    assert training_fit(goals, _training("a")) is None
    assert rank_trainings(goals, [_training("a")]) == []


def test_the_technique_counts_before_the_language_and_the_place():
    goals = _goals(languages=["fr"], countries=["FR"])
    teaches = _training("teaches", languages=["en"], venue=Venue(country="GB"))
    near = _training("near", technique="MitraClip", title="Edge-to-edge repair", languages=["fr"])
    ranked = rank_trainings(_goals(languages=["fr", "en"], countries=["FR"]), [near, teaches])
    assert [m.training.id for m in ranked] == ["teaches"]  # MitraClip is not TAVI and no specialty was named
    both = _goals(languages=["fr", "en"], countries=["FR"], specialties=["interventional cardiology"])
    assert [m.training.id for m in rank_trainings(both, [near, teaches])] == ["teaches", "near"]
    assert training_fit(goals, teaches).reasons[0] == "TAVI is one of your goals"


def test_each_reason_is_a_sentence_about_the_goals():
    goals = _goals(specialties=["Interventional cardiology"], languages=["fr"], countries=["FR"], level="fellow",
                   budget=Budget(150_000, "eur"))  # fmt: skip
    t = _training("x", languages=["fr", "en"], levels=["fellow", "specialist"], seats_left=2, rating_average=4.8,
                  rating_count=12)  # fmt: skip
    fit = training_fit(goals, t)
    assert fit.reasons == (
        "TAVI is one of your goals",
        "In interventional cardiology, your specialty",
        "Taught in French",
        "Held in France, where you want to train",
        "Meant for fellows like you",
        "Within your budget of 1500.00 EUR",
        "Only 2 seats left",
        "Rated 4.8 by 12 trainees",
    )
    assert fit.score == 99  # everything but the last fifth of a star
    assert sum(v for v in POINTS.values() if v > 0) - POINTS["technique, related"] - POINTS["specialty, related"] == 100


def test_a_language_the_trainee_cannot_follow_sinks_a_training():
    goals = _goals(languages=["fr"])
    french, german = _training("fr", languages=["fr"]), _training("de", languages=["de"])
    ranked = rank_trainings(goals, [german, french])
    assert [m.training.id for m in ranked] == ["fr", "de"]
    assert ranked[0].fit.points - ranked[1].fit.points == POINTS["language"] - POINTS["no shared language"]
    assert ranked[1].fit.score == 0  # bounded: -2 points


def test_the_level_and_the_budget():
    resident = _goals(level="resident", budget=Budget(100_000, "eur"))
    masterclass = _training("senior", levels=["senior"])
    for_residents = _training("resident", levels=["resident", "fellow"], price=120_000)
    any_level = _training("any", levels=[])
    ranked = {m.training.id: m.fit.score for m in rank_trainings(resident, [masterclass, for_residents, any_level])}
    assert ranked["any"] > ranked["senior"]
    assert ranked["resident"] - ranked["any"] == POINTS["level"] + POINTS["over budget, a little"] - POINTS["budget"]
    far_over = _training("dear", price=300_000)
    assert training_fit(resident, far_over).score < training_fit(resident, any_level).score + POINTS["over budget"] + 1
    other_currency = _training("gbp", currency="gbp", price=10)
    assert "Within your budget" not in " ".join(training_fit(resident, other_currency).reasons)


def test_full_trainings_come_after_those_with_seats():
    goals = _goals()
    full, free = _training("full", seats_left=0), _training("free", seats_left=4)
    assert [m.training.id for m in rank_trainings(goals, [full, free])] == ["free", "full"]


def test_equal_fits_come_soonest_first():
    goals = _goals()
    later = _training("later", starts_at=NOW + timedelta(days=90))
    sooner = _training("sooner", starts_at=NOW + timedelta(days=10))
    assert [m.training.id for m in rank_trainings(goals, [later, sooner])] == ["sooner", "later"]


def test_names_of_one_technique_and_spellings_are_one():
    assert about("TAVR", "TAVI")
    assert about("transcatheter aortic valve implantation", "TAVI")
    assert about("regional anesthesia", "Ultrasound-guided regional anaesthesia")
    assert about("prostatectomy", "Robotic-assisted radical prostatectomy")
    assert about("endoscopy", "Therapeutic endoscopic techniques")
    assert about("orthopedics", "orthopaedics")
    assert not about("TAVI", "MitraClip")
    assert not about("knee arthroscopy", "shoulder arthroscopy")


def test_experts_rank_by_what_they_teach_and_their_specialty():
    def expert(eid, **fields):
        return User(id=eid, email=f"{eid}@x", name=eid, role=Role.EXPERT, password_hash="-", created_at=NOW,
                    verification=Verification.VERIFIED, **fields)  # fmt: skip

    goals = _goals(specialties=["interventional cardiology"], languages=["fr"], countries=["FR"])
    teacher = expert("teacher", specialty="interventional cardiology", languages=["fr"], country="FR")
    specialist = expert("specialist", specialty="interventional cardiology", languages=["en"], country="GB")
    stranger = expert("stranger", specialty="urology", languages=["fr"], country="FR")
    upcoming = {"teacher": [_training("t1", expert_id="teacher", languages=["fr"]),
                            _training("t2", expert_id="teacher", languages=["fr"])]}  # fmt: skip
    ranked = rank_experts(goals, [stranger, specialist, teacher], upcoming)
    assert [m.expert.id for m in ranked] == ["teacher", "specialist"]
    assert ranked[0].fit.reasons[:2] == (
        "Teaches TAVI, in line with your goals",
        "2 upcoming sessions that fit your goals",
    )
    assert "Speaks French" in ranked[0].fit.reasons and "Works in France" in ranked[0].fit.reasons
    assert [t.id for t in ranked[0].trainings] == ["t1", "t2"]
    assert ranked[1].fit.reasons == ("Practises interventional cardiology, one of your specialties",)
