"""Item statistics checked against values worked out by hand with Moodle's formulas
(question/classes/statistics/questions/calculator.php, mod/quiz/report/statistics/classes/calculator.php)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.analytics.flags import flags_for
from app.analytics.items import Answer, Attempt, Option, analyse, counted
from app.analytics.study import Progress, Review, card_study

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

# Five learners, four one-mark questions asked in the same order (positions = Moodle's slots):
#        q1 q2 q3 q4  total
#   A     1  1  1  1    4
#   B     1  1  1  0    3
#   C     1  1  0  0    2
#   D     1  0  0  1    2
#   E     0  0  0  0    0
TABLE = {"A": (1, 1, 1, 1), "B": (1, 1, 1, 0), "C": (1, 1, 0, 0), "D": (1, 0, 0, 1), "E": (0, 0, 0, 0)}


def attempt(number: int, learner: int, marks: dict[int, float], minutes: int = 0) -> Attempt:
    answers = tuple(Answer(item, slot, mark) for slot, (item, mark) in enumerate(marks.items(), 1))
    return Attempt(number, learner, T0 + timedelta(minutes=minutes), answers)


def table_attempts() -> list[Attempt]:
    return [attempt(n, n, dict(enumerate(row, 1))) for n, row in enumerate(TABLE.values(), 1)]


def test_facility_and_standard_deviation_by_hand() -> None:
    items = analyse(table_attempts()).items
    # q1: marks 1,1,1,1,0: mean 0.8; squared deviations 4 x 0.04 + 0.64 = 0.8; / (s - 1 = 4) = 0.2
    assert items[1].facility == pytest.approx(0.8)
    assert items[1].standard_deviation == pytest.approx(0.2**0.5)
    # q4: marks 1,0,0,1,0: mean 0.4; 2 x 0.36 + 3 x 0.16 = 1.2; / 4 = 0.3
    assert items[4].facility == pytest.approx(0.4)
    assert items[4].standard_deviation == pytest.approx(0.3**0.5)
    assert all(i.responses == 5 for i in items.values())


def test_discrimination_correlates_with_the_rest_of_the_test() -> None:
    items = analyse(table_attempts()).items
    # q1: rest of test 3,2,1,1,0 (mean 1.4, variance 5.2 / 4 = 1.3); covariance
    # (0.2 x (1.6 + 0.6 - 0.4 - 0.4) + (-0.8)(-1.4)) / 4 = 1.4 / 4 = 0.35; 0.35 / sqrt(0.2 x 1.3)
    assert items[1].discrimination == pytest.approx(0.35 / (0.2 * 1.3) ** 0.5)  # 0.6864
    # q2: rest 3,2,1,2,0 (variance 1.3); covariance 1.2 / 4 = 0.3; 0.3 / sqrt(0.3 x 1.3)
    assert items[2].discrimination == pytest.approx(0.3 / (0.3 * 1.3) ** 0.5)  # 0.4804
    # q3: rest 3,2,2,2,0 (variance 4.8 / 4 = 1.2); covariance 1.4 / 4 = 0.35; 0.35 / sqrt(0.36)
    assert items[3].discrimination == pytest.approx(0.35 / 0.6)  # 0.5833
    # q4: rest 3,3,2,1,0 (variance 6.8 / 4 = 1.7); covariance 0.4 / 4 = 0.1; 0.1 / sqrt(0.3 x 1.7)
    assert items[4].discrimination == pytest.approx(0.1 / (0.3 * 1.7) ** 0.5)  # 0.1400


def test_discriminative_efficiency_against_the_sorted_covariance() -> None:
    items = analyse(table_attempts()).items
    # q1: sorted marks 0,1,1,1,1 against sorted rest 0,1,1,2,3 give the same sum 1.4: efficiency 1
    assert items[1].discriminative_efficiency == pytest.approx(1.0)
    # q2: sorted marks 0,0,1,1,1 x sorted rest 0,1,2,2,3: 0.96 + 0.36 + 0.16 + 0.16 + 0.56 = 2.2
    assert items[2].discriminative_efficiency == pytest.approx(1.2 / 2.2)
    # q4: sorted marks 0,0,0,1,1 x sorted rest 0,1,2,3,3: 0.72 + 0.32 - 0.08 + 0.72 + 0.72 = 2.4
    assert items[4].discriminative_efficiency == pytest.approx(0.4 / 2.4)


def test_internal_consistency_error_ratio_and_standard_error() -> None:
    test = analyse(table_attempts()).test
    # totals 4,3,2,2,0: mean 2.2, squared deviations 8.8, k2 = 8.8 / 4 = 2.2, SD sqrt(2.2) = 1.4832
    assert test.attempts == 5 and test.questions == 4
    assert test.mean == pytest.approx(2.2 / 4)
    assert test.standard_deviation == pytest.approx(2.2**0.5 / 4)
    # slot variances 0.2 + 0.3 + 0.3 + 0.3 = 1.1; CIC = 4/3 x (1 - 1.1 / 2.2) = 2/3
    assert test.internal_consistency == pytest.approx(2 / 3)
    # error ratio sqrt(1 - 2/3) = 0.5774; standard error 0.5774 x 1.4832 = 0.8563 marks of 4
    assert test.error_ratio == pytest.approx((1 / 3) ** 0.5)
    assert test.standard_error == pytest.approx((1 / 3) ** 0.5 * 2.2**0.5 / 4)


def test_random_subsets_count_only_the_attempts_that_asked_each_question() -> None:
    # X asks q1 (right) and q2 (wrong); Y q1 and q3 (both right); Z q2 (right) and q3 (wrong)
    attempts = [
        attempt(1, 1, {1: 1, 2: 0}),
        attempt(2, 2, {1: 1, 3: 1}),
        attempt(3, 3, {2: 1, 3: 0}),
    ]
    result = analyse(attempts)
    assert {i: s.responses for i, s in result.items.items()} == {1: 2, 2: 2, 3: 2}
    # q2: marks 0,1 (mean 0.5, variance 0.5) against rest 1,0 (variance 0.5), covariance -0.5
    assert result.items[2].facility == pytest.approx(0.5)
    assert result.items[2].discrimination == pytest.approx(-1.0)
    # q3: rest of test is 1 for both: it does not vary, so there is no correlation
    assert result.items[3].discrimination is None
    # slots: first 1,1,1 (variance 0), second 0,1,0 (variance 1/3); totals 1,2,1 (k2 1/3)
    # CIC = 2/1 x (1 - (1/3) / (1/3)) = 0, error ratio 1, standard error = SD sqrt(1/3) of 2 marks
    assert result.test.internal_consistency == pytest.approx(0.0)
    assert result.test.error_ratio == pytest.approx(1.0)
    assert result.test.standard_error == pytest.approx((1 / 3) ** 0.5 / 2)


def test_one_learner_gives_nothing_but_the_facility() -> None:
    result = analyse([attempt(1, 1, {1: 1, 2: 0, 3: 1})])
    item = result.items[1]
    assert item.facility == 1.0 and item.responses == 1
    assert item.standard_deviation is None
    assert item.discrimination is None and item.discriminative_efficiency is None
    assert result.test.standard_deviation is None and result.test.internal_consistency is None
    assert result.test.error_ratio is None and result.test.standard_error is None


def test_all_right_and_all_wrong_do_not_divide_by_zero() -> None:
    for mark in (1, 0):
        result = analyse([attempt(n, n, {1: mark, 2: mark, 3: mark}) for n in range(1, 5)])
        for item in result.items.values():
            assert item.facility == mark and item.standard_deviation == 0.0
            assert item.discrimination is None and item.discriminative_efficiency is None
        assert result.test.standard_deviation == 0.0
        assert result.test.internal_consistency is None and result.test.error_ratio is None


def test_zero_variance_of_one_item_among_others() -> None:
    attempts = [attempt(n, n, {1: 1, 2: n % 2, 3: n // 3}) for n in range(1, 6)]
    item = analyse(attempts).items[1]
    assert item.facility == 1.0 and item.standard_deviation == 0.0 and item.discrimination is None


def test_a_single_question_has_no_internal_consistency_nor_discrimination() -> None:
    result = analyse([attempt(n, n, {7: n % 2}) for n in range(1, 6)])
    assert result.items[7].facility == pytest.approx(0.6)  # 1, 0, 1, 0, 1
    assert result.items[7].discrimination is None  # the rest of the test is always 0
    assert result.test.internal_consistency is None and result.test.standard_deviation is not None


def test_two_attempts_have_a_deviation_but_no_internal_consistency() -> None:
    # Moodle computes the CIC only when s > 2
    result = analyse([attempt(1, 1, {1: 1, 2: 1}), attempt(2, 2, {1: 0, 2: 1})])
    assert result.test.standard_deviation is not None and result.test.internal_consistency is None


def test_attempts_of_different_lengths_have_no_test_figures() -> None:
    result = analyse([attempt(1, 1, {1: 1}), attempt(2, 2, {1: 0, 2: 1}), attempt(3, 3, {2: 0})])
    assert result.test.questions is None and result.test.internal_consistency is None
    assert result.items[1].responses == 2


def test_which_attempts_count_follows_the_grading_method() -> None:
    # learner 1: scores 1, 2, 2, 0 in that order; learner 2: a single attempt
    mine = [
        attempt(10, 1, {1: 1, 2: 0}, minutes=0),
        attempt(11, 1, {1: 1, 2: 1}, minutes=5),
        attempt(12, 1, {1: 1, 2: 1}, minutes=9),
        attempt(13, 1, {1: 0, 2: 0}, minutes=20),
        attempt(20, 2, {1: 0, 2: 1}, minutes=1),
    ]
    ids = {
        which: [a.attempt_id for a in counted(mine, which)] for which in ("highest", "first", "last", "all")
    }
    assert ids == {
        "highest": [20, 11],  # the best score, the earlier of two equal ones
        "first": [10, 20],
        "last": [20, 13],
        "all": [10, 20, 11, 12, 13],
    }
    with pytest.raises(ValueError):
        counted(mine, "best")


def choice(item: int, slot: int, right: bool, chosen: str) -> Answer:
    options = (Option("sigmoid", True), Option("tanh", False), Option("relu", False))
    return Answer(item, slot, 1.0 if right else 0.0, options, frozenset({chosen}))


def test_option_frequencies_by_thirds_and_distractor_flags() -> None:
    # six learners; q1 is a choice question, q2 sets the scores apart
    rows = [  # (right on q1, chosen on q1, mark on q2)
        (False, "tanh", 1),  # strong on the rest, yet chose tanh
        (True, "sigmoid", 1),
        (True, "sigmoid", 1),
        (True, "sigmoid", 0),
        (True, "sigmoid", 0),
        (False, "tanh", 0),
    ]
    attempts = [
        Attempt(n, n, T0 + timedelta(minutes=n), (choice(1, 1, right, chosen), Answer(2, 2, float(q2))))
        for n, (right, chosen, q2) in enumerate(rows, 1)
    ]
    result = analyse(attempts)
    # scores: 1, 2, 2, 1, 1, 0 of 2: the top third (2 attempts) is #2 and #3, the bottom #5 and #6
    assert (result.test.top_size, result.test.bottom_size) == (2, 2)
    options = {o.text: o for o in result.items[1].options}
    assert [o.text for o in result.items[1].options] == ["sigmoid", "tanh", "relu"]
    assert (options["sigmoid"].chosen, options["sigmoid"].top, options["sigmoid"].bottom) == (4, 2, 1)
    assert (options["tanh"].chosen, options["tanh"].top, options["tanh"].bottom) == (2, 0, 1)
    assert options["relu"].chosen == 0
    codes = [f.code for f in flags_for(result.items[1], None)]
    assert "unused-distractor" in codes and "strong-distractor" not in codes


def test_a_distractor_the_strong_learners_choose_is_flagged() -> None:
    rows = [(False, "tanh", 1), (False, "tanh", 1), (True, "sigmoid", 0), (True, "sigmoid", 0)]
    rows += [(True, "sigmoid", 0), (False, "relu", 0)]
    attempts = [
        Attempt(n, n, T0 + timedelta(minutes=n), (choice(1, 1, right, chosen), Answer(2, 2, float(q2))))
        for n, (right, chosen, q2) in enumerate(rows, 1)
    ]
    item = analyse(attempts).items[1]
    flags = {f.code: f.reason for f in flags_for(item, None)}
    assert "strong-distractor" in flags and "tanh" in flags["strong-distractor"]
    assert "negative-discrimination" in flags


def test_flags_name_their_reason_at_the_thresholds() -> None:
    items = analyse(table_attempts()).items
    assert [f.code for f in flags_for(items[4], None)] == ["low-discrimination"]
    assert flags_for(items[1], None) == []  # facility 0.8, discrimination 0.69
    easy = analyse([attempt(n, n, {1: 1, 2: n % 2}) for n in range(1, 12)]).items[1]
    assert [f.code for f in flags_for(easy, None)] == ["very-easy"]
    assert "100%" in flags_for(easy, None)[0].reason


def test_study_measures_and_their_flags() -> None:
    reviews = [
        Review(5, 1, 1, T0, "new"),  # learner 1: Again first, then a lapse
        Review(5, 1, 3, T0 + timedelta(days=1), "learning"),
        Review(5, 1, 1, T0 + timedelta(days=5), "review"),
        Review(5, 2, 3, T0 + timedelta(hours=2), "new"),
        Review(5, 2, 3, T0 + timedelta(days=4), "review"),
        Review(5, 3, 1, T0 + timedelta(hours=3), "new"),
        Review(5, 3, 1, T0 - timedelta(hours=1), "new"),  # logged out of order: still the first
    ]
    progress = [Progress(5, 1, 6.5, True), Progress(5, 2, 4.5, False), Progress(5, 3, None, False)]
    study = card_study(reviews, progress)[5]
    assert study.first_reviews == 3 and study.first_again_rate == pytest.approx(2 / 3)
    assert study.review_reviews == 2 and study.lapse_rate == pytest.approx(0.5)
    assert study.mean_difficulty == pytest.approx(5.5) and study.leeches == 1
    assert [f.code for f in flags_for(None, study)] == ["high-first-again", "leech"]
    assert card_study([], [Progress(9, 1, None, False)])[9].first_again_rate is None
