"""The card browser's service on real databases: searches, bulk actions and their undo, card info."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import Card, CardAction, CardProgress, ContentSet, ReviewLog, SyncLock, User
from app.services import card_actions, card_info, cards, export, stats, study
from app.srs import SchedulerConfig
from app.srs.memory import retrievability
from app.srs.search import SearchError

NOW = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)  # 21:00 in Tokyo
W = SchedulerConfig().parameters


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    with app.app_context():
        yield db.session


class Deck:
    """Two sets and one learner's progress built straight through the models."""

    def __init__(self) -> None:
        db.session.add(SyncLock(id=1, cards_version=1))  # decks are up to date: only the rows built here
        self.sets = {slug: self._set(slug, weight) for weight, slug in enumerate(("lstm", "gru"))}
        self.count = 0

    def _set(self, slug: str, weight: int) -> ContentSet:
        content_set = ContentSet(
            slug=slug, source_path=f"{slug}.md", source_hash="x", title=slug.upper() + " cells",
            dialect="native", weight=weight, created_at=NOW, updated_at=NOW,
        )  # fmt: skip
        db.session.add(content_set)
        db.session.flush()
        return content_set

    def user(self, name: str, timezone: str = "UTC") -> User:
        user = User(username=name, timezone=timezone, created_at=NOW - timedelta(days=400), cards_version=1)
        db.session.add(user)
        db.session.flush()
        return user

    def card(self, question: str, slug: str = "lstm", tags: tuple[str, ...] = ()) -> Card:
        self.count += 1
        card = Card(
            set_id=self.sets[slug].id, key=f"c{self.count}", text_key=f"t{self.count}", position=self.count,
            type="open", question=question, answer="An answer.", details={"tags": list(tags)},
            created_at=NOW, updated_at=NOW,
        )  # fmt: skip
        db.session.add(card)
        db.session.flush()
        return card

    def progress(self, user: User, card: Card, **fields: Any) -> CardProgress:
        progress = CardProgress(
            user_id=user.id, card_id=card.id, set_id=card.set_id, new_rank=card.position, **fields
        )
        db.session.add(progress)
        db.session.flush()
        return progress

    def studied(
        self, user: User, card: Card, days_ago: float, stability: float, **fields: Any
    ) -> CardProgress:
        """A review card last answered `days_ago` days before NOW, due when its interval ends."""
        last = NOW - timedelta(days=days_ago)
        values = {
            "phase": "review", "stability": stability, "difficulty": 5.0, "last_review": last,
            "due": last + timedelta(days=max(1, round(stability))), "scheduled_days": max(1, round(stability)),
            "reps": 3,
        } | fields  # fmt: skip
        return self.progress(user, card, **values)

    def log(self, progress: CardProgress, at: datetime, rating: int = 3, **fields: Any) -> ReviewLog:
        log = ReviewLog(
            user_id=progress.user_id, card_id=progress.card_id, progress_id=progress.id, rating=rating,
            reviewed_at=at, duration_ms=1000, phase_before="review", phase_after="review",
            interval_seconds=86400, state_before={}, state_after=fields.pop("state_after", {}), **fields,
        )  # fmt: skip
        db.session.add(log)
        db.session.flush()
        return log


@pytest.fixture
def deck(session: Session) -> Deck:
    return Deck()


def found(user: User, query: str, now: datetime = NOW, **options: Any) -> list[str]:
    rows, total = cards.search(user, query, now, per_page=200, **options)
    assert total == len(rows)
    return [row.question for row in rows]


@pytest.fixture
def ada(deck: Deck) -> User:
    """Ada's deck: a new card, a learning card, review cards of known memory, a suspended leech."""
    ada = deck.user("ada")
    deck.progress(ada, deck.card("What is a forget gate?", tags=("gates", "lstm::gates")))
    deck.progress(
        ada, deck.card("Why clip gradients?", "gru"), phase="learning", stability=0.5, difficulty=6.0,
        last_review=NOW - timedelta(minutes=5), due=NOW + timedelta(minutes=5), remaining_steps=1, reps=1,
    )  # fmt: skip
    deck.studied(ada, deck.card("Strong card about the cell state", tags=("cell",)), days_ago=2, stability=40)
    deck.studied(ada, deck.card("Weak card about the update gate", "gru", ("gates",)), days_ago=20, stability=3,
                 difficulty=9.2, lapses=4)  # fmt: skip
    deck.studied(
        ada, deck.card("Leech card: 50% of h_t", "gru"), days_ago=1, stability=1.2, difficulty=10.0, lapses=8,
        suspended=True, leech=True,
    )  # fmt: skip
    return ada


def test_an_empty_search_lists_every_card_of_the_learner_and_no_one_elses(deck: Deck, ada: User) -> None:
    bob = deck.user("bob")
    deck.studied(bob, deck.card("Bob's own card"), days_ago=1, stability=2)
    assert len(found(ada, "")) == 5
    assert "Bob's own card" not in found(ada, "")
    assert found(bob, "own") == ["Bob's own card"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("set:gru", {"Why clip gradients?", "Weak card about the update gate", "Leech card: 50% of h_t"}),
        ("set:g*", {"Why clip gradients?", "Weak card about the update gate", "Leech card: 50% of h_t"}),
        ("tag:gates", {"What is a forget gate?", "Weak card about the update gate"}),
        ("tag:lstm", {"What is a forget gate?"}),  # the tag lstm::gates is a child of lstm
        ("tag:GAT*", {"What is a forget gate?", "Weak card about the update gate"}),
        ("tag:nothing", set()),
        ("is:new", {"What is a forget gate?"}),
        ("is:learn", {"Why clip gradients?"}),
        ("is:review", {"Strong card about the cell state", "Weak card about the update gate",
                       "Leech card: 50% of h_t"}),
        ("is:suspended", {"Leech card: 50% of h_t"}),
        ("is:leech", {"Leech card: 50% of h_t"}),
        ("is:due", {"Weak card about the update gate"}),  # the suspended one is not due; learning is in 5 min
        ("prop:s>21", {"Strong card about the cell state"}),
        ("prop:s<=3", {"Why clip gradients?", "Weak card about the update gate", "Leech card: 50% of h_t"}),
        ("prop:d>0.7", {"Weak card about the update gate", "Leech card: 50% of h_t"}),
        ("prop:d=1", {"Leech card: 50% of h_t"}),
        ("prop:lapses>=3", {"Weak card about the update gate", "Leech card: 50% of h_t"}),
        ("prop:lapses=8", {"Leech card: 50% of h_t"}),
        ("prop:reps!=3", {"What is a forget gate?", "Why clip gradients?"}),
        ("prop:r<0.8", {"Weak card about the update gate"}),
        ("prop:r>0.95", {"Strong card about the cell state", "Why clip gradients?"}),
        ("-prop:s>21", {"What is a forget gate?", "Why clip gradients?", "Weak card about the update gate",
                        "Leech card: 50% of h_t"}),
        ("gate", {"What is a forget gate?", "Weak card about the update gate"}),
        ('"UPDATE gate"', {"Weak card about the update gate"}),
        ("upd*gate", {"Weak card about the update gate"}),
        ("50%", {"Leech card: 50% of h_t"}),
        ("h_t", {"Leech card: 50% of h_t"}),
        ("h%t", set()),
        ("gate -set:gru", {"What is a forget gate?"}),
        ("set:lstm or is:suspended", {"What is a forget gate?", "Strong card about the cell state",
                                      "Leech card: 50% of h_t"}),
        ("(is:new or is:learn) -tag:gates", {"Why clip gradients?"}),
        ("-(is:new or is:learn) -is:suspended", {"Strong card about the cell state",
                                                 "Weak card about the update gate"}),
    ],
)  # fmt: skip
def test_search_terms_and_combinations(ada: User, query: str, expected: set[str]) -> None:
    assert set(found(ada, query)) == expected


def test_prop_due_counts_study_days_from_today(deck: Deck, ada: User) -> None:
    # The weak card was due 17 days ago, the leech and the learning card today, the strong card in 38 days.
    assert set(found(ada, "prop:due<0")) == {"Weak card about the update gate"}
    assert set(found(ada, "prop:due=-17")) == {"Weak card about the update gate"}
    assert set(found(ada, "prop:due=38")) == {"Strong card about the cell state"}
    today = {"Leech card: 50% of h_t", "Why clip gradients?"}
    assert set(found(ada, "prop:due>=0 prop:due<=0")) == today
    assert set(found(ada, "prop:due>-0.5 prop:due<0.5")) == today
    assert set(found(ada, "prop:due!=0")) == {
        "Weak card about the update gate",
        "Strong card about the cell state",
    }
    assert set(found(ada, "prop:due>37.5")) == {"Strong card about the cell state"}
    assert found(ada, "prop:due=0.5") == []
    assert found(ada, "prop:ivl>=40") == ["Strong card about the cell state"]


def test_retrievability_matches_the_forgetting_curve_now(ada: User) -> None:
    rows, _ = cards.search(ada, "set:lstm", NOW)
    strong = next(row for row in rows if row.question.startswith("Strong"))
    assert strong.retrievability == pytest.approx(retrievability(W, 40, 2))  # type: ignore[arg-type]
    assert strong.difficulty == pytest.approx(4 / 9)
    new = next(row for row in rows if row.state == "new")
    assert (new.retrievability, new.stability, new.due) == (None, None, None)


@pytest.mark.parametrize(
    ("sort", "first"),
    [
        ("due", "Weak card about the update gate"),
        ("stability", "Why clip gradients?"),
        ("-stability", "Strong card about the cell state"),
        ("-difficulty", "Leech card: 50% of h_t"),
        ("retrievability", "Weak card about the update gate"),
        ("-retrievability", "Why clip gradients?"),
        ("-lapses", "Leech card: 50% of h_t"),
    ],
)
def test_sorting(ada: User, sort: str, first: str) -> None:
    rows = found(ada, "", sort=sort)
    assert rows[0] == first


def test_pages_split_the_matches(ada: User) -> None:
    first, total = cards.search(ada, "", NOW, page=1, per_page=2, sort="retrievability")
    second, _ = cards.search(ada, "", NOW, page=2, per_page=2, sort="retrievability")
    third, _ = cards.search(ada, "", NOW, page=3, per_page=2, sort="retrievability")
    assert total == 5 and [len(first), len(second), len(third)] == [2, 2, 1]
    assert len({r.card_id for r in first + second + third}) == 5


def test_a_bad_search_or_sort_is_refused_with_a_message(ada: User) -> None:
    with pytest.raises(SearchError, match="never closed"):
        cards.search(ada, "(set:gru", NOW)
    with pytest.raises(cards.BadAction, match="Sort by"):
        cards.search(ada, "", NOW, sort="colour")


def test_rated_and_introduced_count_days_from_4_am_in_the_learners_time_zone(deck: Deck) -> None:
    kenji = deck.user(
        "kenji", "Asia/Tokyo"
    )  # NOW is 21:00 on the 10th in Tokyo; the day began at 19:00 UTC on the 9th
    today_good = deck.studied(kenji, deck.card("today good"), 0.1, 2)
    deck.log(today_good, datetime(2026, 11, 9, 19, 30, tzinfo=UTC))
    before_four = deck.studied(kenji, deck.card("yesterday again"), 0.1, 2)
    deck.log(before_four, datetime(2026, 11, 9, 18, 30, tzinfo=UTC), rating=1)  # 03:30 in Tokyo: yesterday
    old = deck.studied(kenji, deck.card("long ago, and today"), 0.1, 2)
    deck.log(old, NOW - timedelta(days=40))
    deck.log(old, NOW - timedelta(hours=1), rating=4)
    undone = deck.studied(kenji, deck.card("undone today"), 0.1, 2)
    deck.log(undone, NOW - timedelta(hours=1), undone_at=NOW)
    manual = deck.studied(kenji, deck.card("forgotten today"), 0.1, 2)
    deck.log(manual, NOW - timedelta(hours=1), rating=0, source="manual")

    assert set(found(kenji, "rated:1")) == {"today good", "long ago, and today"}
    assert set(found(kenji, "rated:2")) == {"today good", "long ago, and today", "yesterday again"}
    assert set(found(kenji, "rated:2:1")) == {"yesterday again"}
    assert set(found(kenji, "rated:1:4")) == {"long ago, and today"}
    assert set(found(kenji, "introduced:1")) == {"today good"}
    assert set(found(kenji, "introduced:2")) == {"today good", "yesterday again"}
    assert set(found(kenji, "introduced:365")) == {"today good", "yesterday again", "long ago, and today"}


def snapshot_rows(user: User) -> dict[int, dict[str, Any]]:
    db.session.expire_all()
    rows = db.session.scalars(select(CardProgress).where(CardProgress.user_id == user.id))
    return {p.card_id: study._snapshot(p) for p in rows}


def test_bulk_suspend_by_search_and_its_undo_restore_every_card_exactly(ada: User) -> None:
    before = snapshot_rows(ada)
    result = card_actions.act(ada, "suspend", NOW, query="set:gru")
    assert result.changed == 2  # the leech was suspended already
    assert set(found(ada, "is:suspended")) == {"Why clip gradients?", "Weak card about the update gate",
                                               "Leech card: 50% of h_t"}  # fmt: skip
    assert result.action_id is not None
    assert card_actions.last_action(ada).id == result.action_id  # type: ignore[union-attr]
    assert card_actions.undo(ada, result.action_id, NOW) == 2
    assert snapshot_rows(ada) == before
    assert card_actions.last_action(ada) is None
    with pytest.raises(card_actions.ActionConflict, match="already undone"):
        card_actions.undo(ada, result.action_id, NOW)


def test_unsuspend_clears_the_leech_tag_and_undo_puts_it_back(ada: User) -> None:
    before = snapshot_rows(ada)
    result = card_actions.act(ada, "unsuspend", NOW, query="is:leech")
    assert result.changed == 1 and found(ada, "is:leech") == [] and found(ada, "is:suspended") == []
    card_actions.undo(ada, result.action_id, NOW)  # type: ignore[arg-type]
    assert snapshot_rows(ada) == before


def test_forget_makes_cards_new_keeps_history_and_logs_a_manual_row(deck: Deck, ada: User) -> None:
    weak = db.session.scalar(select(Card).where(Card.question.like("Weak%")))
    assert weak is not None
    progress = db.session.scalar(select(CardProgress).where(CardProgress.card_id == weak.id))
    deck.log(progress, NOW - timedelta(days=20), state_after={"stability": 3.0, "difficulty": 9.2})
    before = snapshot_rows(ada)

    result = card_actions.act(ada, "forget", NOW, card_ids=[weak.id])

    assert result.changed == 1
    assert set(found(ada, "is:new")) == {"What is a forget gate?", "Weak card about the update gate"}
    after = snapshot_rows(ada)[weak.id]
    assert (after["phase"], after["stability"], after["due"], after["lapses"], after["reps"]) == (
        "new",
        None,
        None,
        4,
        3,
    )
    logs = db.session.scalars(
        select(ReviewLog).where(ReviewLog.card_id == weak.id).order_by(ReviewLog.id)
    ).all()
    assert [(log.rating, log.source) for log in logs] == [(3, "study"), (0, "manual")]
    # The manual row is no review: not in the reviews per day, the export count, nor rated:1.
    assert sum(p.count for p in stats.reviews_per_day(ada, NOW)) == 1
    assert export.review_count(ada) == 1
    csv_text = "".join(export.review_log_csv(ada))
    assert ",0,Manual," in csv_text and ",3,Good," in csv_text  # the export keeps the whole log
    assert found(ada, "rated:1") == []

    card_actions.undo(ada, result.action_id, NOW + timedelta(minutes=1))  # type: ignore[arg-type]
    assert snapshot_rows(ada) == before
    db.session.expire_all()
    assert db.session.get(ReviewLog, logs[1].id).undone_at is not None  # type: ignore[union-attr]


def test_reschedule_sets_the_due_day_start_and_keeps_the_memory_state(deck: Deck) -> None:
    kenji = deck.user("kenji", "Asia/Tokyo")
    card = deck.studied(kenji, deck.card("Tokyo card"), days_ago=3, stability=5, difficulty=4.0)
    learning = deck.progress(
        kenji, deck.card("Learning card"), phase="relearning", stability=1.0, difficulty=7.0,
        last_review=NOW - timedelta(minutes=3), due=NOW + timedelta(minutes=7), remaining_steps=1, reps=5,
    )  # fmt: skip
    deck.progress(kenji, deck.card("New card"))

    result = card_actions.act(kenji, "reschedule", NOW, query="", due=date(2026, 11, 20))

    assert result.changed == 2  # the new card has no memory state to keep: left alone
    rows = snapshot_rows(kenji)
    moved = rows[card.card_id]
    assert moved["due"] == "2026-11-19T19:00:00Z"  # 4 am on the 20th in Tokyo
    assert (moved["stability"], moved["difficulty"], moved["phase"]) == (5, 4.0, "review")
    relearned = rows[learning.card_id]
    assert (relearned["phase"], relearned["remaining_steps"], relearned["stability"]) == ("review", 0, 1.0)
    assert relearned["scheduled_days"] == 10
    assert set(found(kenji, "prop:due=10")) == {"Tokyo card", "Learning card"}
    manual = db.session.scalars(select(ReviewLog).where(ReviewLog.source == "manual")).all()
    assert len(manual) == 2 and {log.rating for log in manual} == {0}
    with pytest.raises(cards.BadAction, match="today or a later date"):
        card_actions.act(kenji, "reschedule", NOW, query="", due=date(2026, 11, 9))
    with pytest.raises(cards.BadAction, match="YYYY-MM-DD"):
        card_actions.act(kenji, "reschedule", NOW, query="")


def test_undo_is_refused_when_a_card_was_studied_since(deck: Deck, ada: User) -> None:
    result = card_actions.act(ada, "forget", NOW, query="set:lstm")
    assert result.changed == 1
    study.grade_card(ada, db.session.scalar(select(Card.id).where(Card.question.like("Strong%"))), 3, NOW)
    with pytest.raises(card_actions.ActionConflict, match="studied or changed since"):
        card_actions.undo(ada, result.action_id, NOW)  # type: ignore[arg-type]


def test_study_undo_and_daily_counts_skip_manual_rows(deck: Deck, ada: User) -> None:
    strong = db.session.scalar(select(Card.id).where(Card.question.like("Strong%")))
    weak = db.session.scalar(select(Card.id).where(Card.question.like("Weak%")))
    study.grade_card(ada, weak, 3, NOW)  # type: ignore[arg-type]
    card_actions.act(ada, "forget", NOW + timedelta(seconds=1), card_ids=[strong])  # type: ignore[list-item]
    # Undo in study takes back the grade, not the forget.
    assert study.undo_last(ada, NOW) == weak
    assert snapshot_rows(ada)[strong]["phase"] == "new"  # type: ignore[index]
    assert study.undo_last(ada, NOW) is None
    assert study.next_card(ada, NOW).counts.done == 0


def test_nothing_changed_writes_no_action_and_bad_requests_are_refused(ada: User) -> None:
    assert card_actions.act(ada, "suspend", NOW, query="is:suspended") == card_actions.ActionResult(None, 0)
    assert db.session.scalars(select(CardAction)).all() == []
    with pytest.raises(cards.BadAction, match="Unknown action"):
        card_actions.act(ada, "delete", NOW, query="")
    with pytest.raises(cards.BadAction, match="either their ids or a search"):
        card_actions.act(ada, "suspend", NOW)
    with pytest.raises(SearchError):
        card_actions.act(ada, "suspend", NOW, query="prop:")


def test_a_learner_cannot_touch_or_undo_anothers_cards(deck: Deck, ada: User) -> None:
    bob = deck.user("bob")
    bobs = deck.studied(bob, deck.card("Bob's card"), days_ago=1, stability=2)
    assert card_actions.act(ada, "suspend", NOW, card_ids=[bobs.card_id]).changed == 0
    result = card_actions.act(bob, "suspend", NOW, card_ids=[bobs.card_id])
    assert result.action_id is not None and result.changed == 1
    with pytest.raises(cards.CardsError):
        card_actions.undo(ada, result.action_id, NOW)  # type: ignore[arg-type]
    with pytest.raises(cards.CardsError):
        card_info.card_info(ada, bobs.card_id, NOW)


def test_card_info_shows_memory_after_every_review_and_a_forgetting_curve(deck: Deck) -> None:
    eve = deck.user("eve")
    card = deck.card("Info card")
    progress = deck.studied(eve, card, days_ago=2, stability=10, difficulty=5.0)
    first = NOW - timedelta(days=12)
    deck.log(progress, first, rating=3, state_after={"stability": 2.3065, "difficulty": 2.118})
    deck.log(progress, NOW - timedelta(days=2), rating=3)  # no stored state: replayed with the parameters
    deck.log(progress, NOW - timedelta(days=1), rating=0, source="manual",
             state_after={"stability": 10.0, "difficulty": 5.0})  # fmt: skip

    info = card_info.card_info(eve, card.id, NOW)

    assert [row.rating for row in info.history] == [3, 3, 0]
    assert info.history[0].stability == pytest.approx(2.3065)
    assert info.history[0].retrievability is None
    assert info.history[1].retrievability == pytest.approx(retrievability(W, 2.3065, 10))
    assert info.history[1].stability is not None and info.history[1].stability > 2.3065  # a success grows S
    assert info.history[2].source == "manual"
    assert info.curve[0].day == 0 and info.curve[0].retrievability == pytest.approx(retrievability(W, 10, 2))
    assert all(a.retrievability > b.retrievability for a, b in zip(info.curve, info.curve[1:], strict=False))
    assert len(info.curve) == 31  # due in 8 days: the curve runs the minimum 30 days


def test_stats_distributions_count_studied_cards_by_memory_state(deck: Deck, ada: User) -> None:
    result = stats.distributions(ada, NOW)
    assert result.cards == 4
    assert sum(b.count for b in result.stability) == 4
    assert [b.count for b in result.stability if b.low == 30] == [1]  # S = 40
    assert result.difficulty[-1].count == 2  # 9.2 -> 0.91, and 10 -> exactly 1, counted in the top bin
    assert sum(b.count for b in result.retrievability) == 4
