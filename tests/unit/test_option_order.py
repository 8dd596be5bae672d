"""Choice options are shown shuffled per seed; pinned options and `Shuffle: no` keep their place."""

from __future__ import annotations

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from app.quiz.order import option_order, order_for


def test_the_same_seed_gives_the_same_order() -> None:
    assert option_order(5, [], "attempt-7:q-3") == option_order(5, [], "attempt-7:q-3")
    assert option_order(5, [], 42) == option_order(5, [], 42)


def test_different_seeds_give_different_orders() -> None:
    orders = {tuple(option_order(5, [], seed)) for seed in range(50)}
    assert len(orders) > 20


@given(st.integers(1, 8), st.sets(st.integers(0, 7)), st.integers())
def test_an_order_is_a_permutation_that_keeps_pinned_options(count: int, pinned: set[int], seed: int) -> None:
    order = option_order(count, pinned, seed)
    assert sorted(order) == list(range(count))
    for position in pinned:
        if position < count:
            assert order[position] == position


def test_every_permutation_of_the_free_options_is_reached() -> None:
    seen = {tuple(option_order(4, [3], seed)) for seed in range(600)}
    assert len(seen) == 6  # 3! orders of the three free options, "all of the above" last
    assert all(order[3] == 3 for order in seen)


def test_the_right_option_lands_in_each_place_about_equally_often() -> None:
    """The written first option (where authors put the right one) is shown first only about 1/4 of the time."""
    runs = 4000
    places = Counter(option_order(4, [], f"attempt-{seed}").index(0) for seed in range(runs))
    for place in range(4):
        assert 0.2 * runs < places[place] < 0.3 * runs, places


def test_shuffle_no_keeps_the_written_order() -> None:
    details = {"options": [{}, {}, {}, {}], "shuffle": False, "pinned": []}
    assert all(order_for(details, seed) == [0, 1, 2, 3] for seed in range(20))


def test_order_for_reads_pinned_options_from_the_details() -> None:
    details = {"options": [{}, {}, {}, {}], "shuffle": True, "pinned": [3]}
    assert all(order_for(details, seed)[3] == 3 for seed in range(50))
    assert len({tuple(order_for(details, seed)) for seed in range(50)}) > 1
