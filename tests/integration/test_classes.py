"""Classes against real databases: membership rules, codes, and roster figures from hand-built logs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import event

from app.extensions import db
from app.models import Classroom, User
from app.services import accounts, classes, quiz, stats
from app.services import assignments as asg
from app.services import roster as roster_rows
from tests.integration.test_quiz import GRACE, T0, right_answer
from tests.integration.test_quiz import gates as gates  # a fixture
from tests.integration.test_stats import NOW, World
from tests.integration.test_stats import session as session  # a fixture
from tests.integration.test_stats import world as world  # a fixture

DAY = timedelta(days=1)


def teacher(world: World, name: str = "teach") -> User:
    user = world.user(name)
    user.role = "instructor"
    return user


def test_a_class_gets_a_code_that_learners_join_with_as_they_type_it(world: World) -> None:
    teach, ada = teacher(world), world.user("ada")
    classroom = classes.create_class(teach, "  RNN autumn  ", NOW)
    assert classroom.name == "RNN autumn" and len(classroom.join_code) == 8
    typed = f"{classroom.join_code[:4].lower()}-{classroom.join_code[4:]} "
    assert classes.join(ada, typed, NOW).id == classroom.id
    assert [u.username for u in classes.learners(classroom.id)] == ["ada"]
    assert classes.learner_class(ada, classroom.id) == classroom
    with pytest.raises(classes.ClassNotFound):
        classes.join(ada, "NOPE2345", NOW)


def test_only_instructors_create_classes_and_names_are_checked(world: World) -> None:
    ada, teach = world.user("ada"), teacher(world)
    with pytest.raises(classes.NotInstructor):
        classes.create_class(ada, "Mine", NOW)
    for bad in ("", "   ", "x" * 201):
        with pytest.raises(classes.ClassRequestError):
            classes.create_class(teach, bad, NOW)


def test_a_learner_in_several_classes_and_instructors_see_only_their_own(world: World) -> None:
    teach, other, ada = teacher(world), teacher(world, "other"), world.user("ada")
    first, second = classes.create_class(teach, "B class", NOW), classes.create_class(other, "A class", NOW)
    classes.join(ada, first.join_code, NOW)
    classes.join(ada, second.join_code, NOW)
    assert [c.name for c in classes.joined_by(ada)] == ["A class", "B class"]
    assert classes.taught_by(teach) == [first] and classes.taught_by(other) == [second]
    with pytest.raises(classes.ClassNotFound):
        classes.instructor_class(teach, second.id)
    with pytest.raises(classes.ClassNotFound):
        classes.instructor_class(ada, first.id)


def test_a_second_instructor_teaches_the_class_too(world: World) -> None:
    teach, other, ada = teacher(world), teacher(world, "other"), world.user("ada")
    classroom = classes.create_class(teach, "Shared", NOW)
    classes.join(ada, classroom.join_code, NOW)
    with pytest.raises(classes.ClassRequestError):
        classes.add_instructor(classroom, "ada", NOW)  # a learner account cannot teach
    with pytest.raises(classes.ClassRequestError):
        classes.add_instructor(classroom, "nobody", NOW)
    classes.add_instructor(classroom, " other ", NOW)
    classes.add_instructor(classroom, "other", NOW)  # twice is once
    assert classes.instructor_class(other, classroom.id) == classroom
    assert [u.username for u in classes.instructors(classroom.id)] == ["other", "teach"]
    assert [u.username for u in classes.learners(classroom.id)] == ["ada"]


def test_a_removed_learner_leaves_every_list_and_may_join_again(world: World) -> None:
    teach, ada, bob = teacher(world), world.user("ada"), world.user("bob")
    classroom = classes.create_class(teach, "C", NOW)
    for user in (ada, bob):
        classes.join(user, classroom.join_code, NOW)
    classes.remove_learner(classroom, ada.id, NOW + DAY)
    assert [u.username for u in classes.learners(classroom.id)] == ["bob"]
    assert [r.username for r in roster_rows.roster(classroom, NOW)] == ["bob"]
    assert classes.joined_by(ada) == []
    with pytest.raises(classes.ClassNotFound):
        classes.learner_class(ada, classroom.id)
    with pytest.raises(classes.ClassNotFound):
        classes.remove_learner(classroom, ada.id, NOW)  # already out
    with pytest.raises(classes.ClassNotFound):
        classes.remove_learner(classroom, teach.id, NOW)  # an instructor is no learner
    classes.join(ada, classroom.join_code, NOW + 2 * DAY)
    assert [u.username for u in classes.learners(classroom.id)] == ["ada", "bob"]


def test_a_learner_may_leave(world: World) -> None:
    teach, ada = teacher(world), world.user("ada")
    classroom = classes.create_class(teach, "C", NOW)
    classes.join(ada, classroom.join_code, NOW)
    classes.leave(ada, classroom.id, NOW)
    assert classes.learners(classroom.id) == []
    with pytest.raises(classes.ClassNotFound):
        classes.leave(ada, classroom.id, NOW)


def test_a_new_code_stops_the_old_one_at_once(world: World) -> None:
    teach, ada, bob = teacher(world), world.user("ada"), world.user("bob")
    classroom = classes.create_class(teach, "C", NOW)
    old = classroom.join_code
    classes.join(ada, old, NOW)
    new = classes.rotate_code(classroom, NOW + DAY)
    assert new != old and classroom.code_rotated_at == NOW + DAY
    with pytest.raises(classes.ClassNotFound):
        classes.join(bob, old, NOW + DAY)
    assert classes.join(bob, new, NOW + DAY) == classroom
    assert [u.username for u in classes.learners(classroom.id)] == ["ada", "bob"]  # ada stays


def test_an_instructor_joining_their_own_class_stays_its_instructor(world: World) -> None:
    teach = teacher(world)
    classroom = classes.create_class(teach, "C", NOW)
    classes.join(teach, classroom.join_code, NOW)
    assert classes.teaches(teach, classroom.id) and classes.learners(classroom.id) == []


def test_renaming_checks_the_name(world: World) -> None:
    classroom = classes.create_class(teacher(world), "C", NOW)
    classes.rename(classroom, " Gated cells ")
    assert db.session.get(Classroom, classroom.id).name == "Gated cells"  # type: ignore[union-attr]
    with pytest.raises(classes.ClassRequestError):
        classes.rename(classroom, " ")


def _class_of(world: World, *learners: User) -> Classroom:
    classroom = classes.create_class(teacher(world), "Roster", NOW - 90 * DAY)
    for user in learners:
        classes.join(user, classroom.join_code, NOW - 90 * DAY)
    return classroom


def test_roster_figures_from_hand_built_logs(world: World) -> None:
    ada, kenji, cy = world.user("ada"), world.user("kenji", "Asia/Tokyo"), world.user("cy")
    classroom = _class_of(world, ada, kenji, cy)
    # ada: reviews today, yesterday and 2 days ago (a 3-day streak), one 10 days ago, one 40 days ago.
    for at, rating in [
        (NOW - timedelta(hours=1), 3),
        (NOW - DAY, 1),
        (NOW - 2 * DAY, 4),
        (NOW - 10 * DAY, 3),
    ]:
        world.log(ada, at, rating=rating)
    world.log(ada, NOW - 40 * DAY)
    world.log(ada, NOW - timedelta(hours=2), rating=1, phase_before="learning")  # not in retention
    world.log(ada, NOW - timedelta(hours=3), undone=True)  # not counted at all
    world.progress(ada, phase="review", due=NOW - 5 * DAY)  # overdue: due today
    world.progress(ada, phase="review", due=datetime(2026, 11, 11, 3, 0, tzinfo=UTC))  # before 4 am tomorrow
    world.progress(ada, phase="review", due=datetime(2026, 11, 11, 5, 0, tzinfo=UTC))  # tomorrow
    world.progress(ada, phase="review", due=NOW, suspended=True)  # studied, never due
    world.progress(ada, phase="new")  # not studied
    # kenji in Tokyo: it is 21:00 on the 10th there; 19:30 UTC on the 9th is 04:30 on the 10th (today),
    # 18:30 UTC is 03:30 on the 10th, which is still the 9th's study day.
    world.log(kenji, datetime(2026, 11, 9, 19, 30, tzinfo=UTC), rating=1)
    world.log(kenji, datetime(2026, 11, 9, 18, 30, tzinfo=UTC))

    rows = {r.username: r for r in roster_rows.roster(classroom, NOW)}

    a = rows["ada"].figures
    assert a.cards_studied == 4  # the review cards, suspended one included; the logs' cards are new ones
    assert (a.reviews_7, a.reviews_30) == (4, 5)  # today x2 (one learning), yesterday, 2 days ago; + 10 days
    assert (a.retention.passed, a.retention.total) == (3, 4)
    assert (a.due_today, a.streak) == (2, 3)
    k = rows["kenji"].figures
    assert (k.reviews_7, k.streak, k.retention.passed, k.retention.total) == (2, 2, 1, 2)
    c = rows["cy"].figures
    assert (c.cards_studied, c.reviews_30, c.retention.rate, c.due_today, c.streak) == (0, 0, None, 0, 0)
    assert rows["cy"].grades == () and rows["cy"].quiz_score is None
    # one definition: the roster says what each learner's own statistics page says
    for user in (ada, kenji, cy):
        row = rows[user.username].figures
        assert row.retention == stats.true_retention(user, NOW)
        assert row.streak == stats.streak(user, NOW)
        assert row.due_today == stats.forecast(user, NOW)[0].count
        assert row.reviews_30 == sum(p.count for p in stats.reviews_per_day(user, NOW))
        assert row.reviews_7 == sum(p.count for p in stats.reviews_per_day(user, NOW)[-7:])
        assert row.cards_studied == stats.cards_studied(user)


class Statements:
    """Counts the SQL statements run inside the block."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def _count(self, *args: object) -> None:
        self.seen.append(str(args[2]))

    def __enter__(self) -> Statements:
        event.listen(db.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(db.engine, "before_cursor_execute", self._count)


def test_streaks_longer_than_the_window_are_counted_in_full_for_all_at_once(world: World) -> None:
    people = [world.user(name) for name in ("ada", "bob", "cyd", "dee")]
    classroom = _class_of(world, *people)
    for n, user in enumerate(people):
        for days in range(1, 46 + 40 * n):  # up to yesterday; nothing yet today
            world.log(user, NOW - days * DAY)
    with Statements() as sql:
        rows = roster_rows.roster(classroom, NOW)
    assert [r.figures.streak for r in rows] == [45, 85, 125, 165]
    assert [r.figures.streak for r in rows] == [stats.streak(user, NOW) for user in people]
    assert len(sql.seen) <= 10, sql.seen  # the older spans are looked up for all four together


def test_the_roster_takes_the_same_few_queries_for_many_learners(world: World) -> None:
    people = [world.user(f"u{i:03d}") for i in range(60)]
    classroom = _class_of(world, *people)
    for i, user in enumerate(people):
        world.log(user, NOW - (i % 5) * DAY)
    with Statements() as sql:
        rows = roster_rows.roster(classroom, NOW)
    assert len(rows) == 60
    assert len(sql.seen) <= 8, sql.seen


def test_the_roster_shows_assigned_quizzes_done_and_their_grades(gates: Flask) -> None:
    """Two assignments; ann answers all of the first right and none of the second, bea does nothing,
    and a removed learner's attempt stays but leaves the roster."""
    with gates.app_context():
        teach = accounts.register("teacher", "correct horse", T0, role="instructor")
        ann, bea, cy = (accounts.register(n, "correct horse", T0) for n in ("ann", "bea", "cyd"))
        room = classes.create_class(teach, "RNN 101", T0)
        for user in (ann, bea, cy):
            classes.join(user, room.join_code, T0)
        spec = asg.AssignmentSpec(sets=["gates"], count=5, time_limit_s=600, attempts=0)
        first = asg.create_assignment(room, teach, spec, T0)
        second = asg.create_assignment(room, teach, spec, T0 + timedelta(seconds=1))
        done = asg.start_attempt(ann, first.id, T0, GRACE)
        for question in done.questions:
            quiz.save_answer(ann, done.id, question.id, right_answer(question), T0, GRACE)
        quiz.submit(ann, done.id, T0 + timedelta(minutes=1), GRACE)
        quiz.submit(ann, asg.start_attempt(ann, second.id, T0, GRACE).id, T0 + timedelta(minutes=2), GRACE)
        asg.start_attempt(bea, first.id, T0, GRACE)  # started, never submitted: not done
        quiz.submit(cy, asg.start_attempt(cy, first.id, T0, GRACE).id, T0 + timedelta(minutes=1), GRACE)
        classes.remove_learner(room, cy.id, T0 + timedelta(minutes=5))

        assert [q.id for q in roster_rows.assigned_quizzes(room.id)] == [first.id, second.id]
        rows = {r.username: r for r in roster_rows.roster(room, T0 + timedelta(minutes=5))}
        assert set(rows) == {"ann", "bea"}  # cyd was removed
        assert rows["ann"].grades == (1.0, 0.0)
        assert (rows["ann"].quizzes_done, rows["ann"].quiz_score) == (2, 0.5)
        assert rows["bea"].grades == (None, None)
        assert (rows["bea"].quizzes_done, rows["bea"].quiz_score) == (0, None)
        assert rows["ann"].record()["quiz_score"] == 0.5
