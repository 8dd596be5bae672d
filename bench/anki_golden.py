"""Record how Anki itself schedules cards, as the oracle for Unroll's scheduler (app.srs).

Writes tests/fixtures/anki_golden.json, which tests/unit/test_srs_anki_golden.py checks app.srs against:
- "histories": review histories (rating and time of each review) with, after each review, the due time
  and card state Anki's Rust backend gave, FSRS on and fuzz off;
- "review_buttons": review cards put in chosen memory states, with the Hard/Good/Easy days Anki offers;
- "fuzz_ranges": the same with fuzz on, sampled over many cards: the set of days each button can give.

Setup (Anki stays out of pyproject.toml; the JSON file is the oracle, this script only regenerates it):

    .venv/bin/pip install anki==26.9.3     # Anki's headless Python package, with its Rust backend
    apt-get install -y faketime            # libfaketime, to answer cards at chosen times
    .venv/bin/python bench/anki_golden.py  # about half a minute; prints a summary

How Anki is driven:
- Each job runs in a child process on fresh collections, under libfaketime (FAKETIME_TIMESTAMP_FILE with
  FAKETIME_NO_CACHE, rewritten before each answer) with TZ set to the case's zone: Anki reads the system
  clock and the local zone itself. Answers go through the backend's own scheduling states and
  `answer_card`, as in the reviewer. The collection is reopened before each answer: Anki caches today's
  timing until the cached rollover passes, so a session left open across a DST change rolls over an hour
  off; a freshly opened Anki is the stateless behaviour Unroll reproduces.
- Fuzz: Anki has no switch for it, but its backend disables fuzz (and the load balancer's random pick)
  when ANKI_TEST_MODE is set; the load balancer is also switched off in the preferences. ANKI_TEST_MODE
  has one side effect: between 02:00 and 04:00 local time the backend shifts its clock back two hours,
  so no review may fall in that window (checked). The fuzz-range job runs without ANKI_TEST_MODE.
- Review and day-learning cards are due on a day number; it is turned into the instant that day starts
  (the rollover hour, local time). Histories are partly hand-written (steps, lapses, leeches, day
  boundaries, DST, limits) and partly random, their review times following Anki's own due times.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import subprocess
import sys
import tempfile
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "anki_golden.json"
LIBFAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"
TEST_MODE_WINDOW = range(2, 4)  # local hours in which ANKI_TEST_MODE shifts Anki's clock
LAST_FAKE_TIME = datetime(2037, 1, 1, tzinfo=UTC)  # libfaketime's %s parsing wraps at 2038

DEFAULT_PARAMETERS = [
    0.212, 1.2931, 2.3065, 8.2956, 6.4133, 0.8334, 3.0194, 0.001, 1.8722, 0.1666, 0.796,
    1.4835, 0.0614, 0.2629, 1.6483, 0.6014, 1.8729, 0.5425, 0.0912, 0.0658, 0.1542,
]  # fmt: skip
# A plausible optimised parameter set, inside every fsrs-rs bound, to exercise non-default weights.
CUSTOM_PARAMETERS = [
    0.4, 1.8, 3.6, 12.5, 6.9, 0.62, 2.4, 0.005, 1.55, 0.21, 0.9,
    1.7, 0.09, 0.31, 1.9, 0.45, 2.4, 0.38, 0.25, 0.11, 0.22,
]  # fmt: skip
DEFAULT_CONFIG: dict[str, Any] = {
    "parameters": DEFAULT_PARAMETERS,
    "desired_retention": 0.9,
    "learning_steps_minutes": [1, 10],
    "relearning_steps_minutes": [10],
    "maximum_interval_days": 36500,
    "fuzz": False,
    "timezone": "UTC",
    "day_start_hour": 4,
}
RATINGS = {"A": 1, "H": 2, "G": 3, "E": 4}
NY, TOKYO, BERLIN = "America/New_York", "Asia/Tokyo", "Europe/Berlin"

# (name, config changes, reviews as "rating local-time" separated by commas; a bare hh:mm keeps the date)
HAND_WRITTEN = [
    ("new card answered again", {}, "A 2025-01-15T10:00"),
    ("new card answered hard", {}, "H 2025-01-15T10:00"),
    ("new card answered good", {}, "G 2025-01-15T10:00"),
    ("new card answered easy", {}, "E 2025-01-15T10:00"),
    ("learning steps 1m 10m then graduation", {}, "G 2025-01-15T10:00, G 10:01, G 10:11"),
    ("hard on the first step twice, then good twice", {"timezone": NY},
     "H 2025-01-15T05:00, H 05:06, G 05:16, G 05:27, G 2025-01-16T09:00"),
    ("again resets the steps, easy graduates from any step", {},
     "G 2025-02-01T12:00, A 12:02, G 12:04, E 12:15, G 2025-02-10T08:00, H 2025-03-20T18:00"),
    ("many agains in one day drive stability to its floor", {},
     ", ".join(f"A 2025-01-15T10:{2 * i:02d}" for i in range(14)) + ", G 11:00, E 11:20"),
    ("review card: hard, good, easy and a lapse with relearning", {"timezone": BERLIN},
     "E 2025-04-01T08:00, G 2025-04-09T19:00, H 2025-05-01T07:30, E 2025-06-02T12:00, "
     "A 2025-09-15T21:00, A 21:11, H 21:22, G 21:40, G 2025-09-17T06:00"),
    ("leech at 8 lapses and every 4 after", {},
     "G 2025-01-10T09:00, G 09:01, G 09:12, "
     + ", ".join(f"A {date(2025, 1, 10) + timedelta(days=n)}T10:00, G 10:11" for n in range(1, 14))),
    ("maximum interval of 30 days", {"maximum_interval_days": 30},
     "E 2025-01-01T10:00, E 2025-01-09T10:00, E 2025-02-08T10:00, G 2025-03-10T10:00, H 2025-04-09T10:00"),
    ("Tokyo: 01:30 and 04:30 are different study days, 23:50 and 00:30 the same", {"timezone": TOKYO},
     "G 2025-05-10T01:00, G 01:05, G 01:30, G 04:30, G 2025-05-12T23:50, G 2025-05-13T00:30, H 04:01"),
    ("New York: 01:59 and 04:00 are different study days", {"timezone": NY},
     "E 2025-06-01T01:59, G 2025-06-09T01:59, G 04:00, A 2025-07-30T04:00, G 04:11"),
    ("rollover at 6: a step crossing it is due when the day starts", {"timezone": BERLIN, "day_start_hour": 6},
     "G 2025-03-03T05:50, G 05:55, G 06:00, G 2025-03-04T05:59, G 06:01, A 2025-03-20T05:55, G 06:05"),
    ("DST spring forward in New York", {"timezone": NY},
     "G 2025-03-08T22:00, G 22:01, G 23:55, G 2025-03-09T04:30, H 2025-03-10T04:15, G 2025-03-11T23:30"),
    ("DST fall back in New York: Anki counts the 25-hour day from the next rollover", {"timezone": NY},
     "G 2025-10-30T09:00, G 09:01, G 09:12, G 2025-11-01T04:30, G 2025-11-02T10:00, A 23:58, "
     "G 2025-11-03T00:10"),
    ("no learning or relearning steps: FSRS short-term scheduling",
     {"learning_steps_minutes": [], "relearning_steps_minutes": []},
     "A 2025-01-15T10:00, A 10:10, H 11:00, G 15:00, G 2025-01-20T10:00, A 2025-02-20T10:00, A 12:00, "
     "G 2025-02-21T10:00"),
    ("long steps: a one-day step and a three-day relearning step",
     {"learning_steps_minutes": [30, 1440], "relearning_steps_minutes": [4320]},
     "H 2025-01-15T10:00, G 10:45, H 2025-01-16T10:00, G 2025-01-17T09:00, G 2025-01-22T09:00, "
     "A 2025-02-22T09:00, H 2025-02-25T09:00, G 2025-03-02T09:00"),
    ("a single learning step: hard is 1.5 times it",
     {"learning_steps_minutes": [20], "relearning_steps_minutes": [5, 30]},
     "H 2025-01-15T10:00, G 10:30, G 2025-01-17T10:00, A 2025-01-27T10:00, H 10:05, G 10:12, G 10:45"),
    ("early and same-day reviews of a review card", {"timezone": TOKYO},
     "E 2025-08-01T12:00, G 2025-08-05T12:00, G 18:00, E 2025-08-06T09:00, H 2025-08-20T09:00, G 09:30"),
    ("very late reviews", {},
     "G 2024-01-01T10:00, G 10:01, G 10:12, G 2024-06-01T10:00, H 2025-06-01T10:00, E 2027-01-01T10:00"),
    ("custom parameters, desired retention 0.8", {"parameters": CUSTOM_PARAMETERS, "desired_retention": 0.8},
     "G 2025-01-15T10:00, G 10:01, G 10:12, G 2025-01-20T10:00, A 2025-03-01T10:00, G 10:15, "
     "E 2025-03-09T10:00"),
    ("desired retention 0.97", {"desired_retention": 0.97},
     "E 2025-01-15T10:00, G 2025-01-18T10:00, G 2025-01-23T10:00, H 2025-02-01T10:00, E 2025-02-11T10:00"),
]  # fmt: skip

RANDOM_PROFILES = [
    ("default, UTC", {}),
    ("default, New York", {"timezone": NY}),
    ("default, Tokyo", {"timezone": TOKYO}),
    ("default, Sydney", {"timezone": "Australia/Sydney"}),
    ("retention 0.85, Berlin", {"timezone": BERLIN, "desired_retention": 0.85}),
    ("custom parameters, retention 0.93, Los Angeles",
     {"timezone": "America/Los_Angeles", "parameters": CUSTOM_PARAMETERS, "desired_retention": 0.93}),
    ("steps 1m 10m 1h, relearning 10m 1h, max 365 days",
     {"learning_steps_minutes": [1, 10, 60], "relearning_steps_minutes": [10, 60], "maximum_interval_days": 365}),
]  # fmt: skip

# Review cards in chosen states: (stabilities, difficulties, last intervals, days since the last review).
BUTTON_GRID = ([1.144, 3.086, 9.185, 20.3, 55.0], [3.0, 7.0], [1, 2, 4, 9, 10, 12, 20, 60], [0, 1, 3, None])
FUZZ_STATES = [
    (10.6, 5.0, 10, 0),
    (9.185, 5.0, 10, 0),
    (55.0, 5.0, 60, 0),
    (30.0, 6.0, 20, 25),
    (3.086, 5.0, 4, 0),
]
GRID_NOW = datetime(2025, 1, 18, 10, 0, tzinfo=UTC)


def history_cases() -> list[dict[str, Any]]:
    cases = [
        {"name": name, "config": {**DEFAULT_CONFIG, **changes}, "reviews": parse_spec(spec, changes)}
        for name, changes, spec in HAND_WRITTEN
    ]
    for index in range(44):
        name, changes = RANDOM_PROFILES[index % len(RANDOM_PROFILES)]
        cases.append(
            {
                "name": f"random history {index} ({name})",
                "config": {**DEFAULT_CONFIG, **changes},
                "random": {"seed": index, "length": 12 + index % 19},
            }
        )
    return cases


def parse_spec(spec: str, changes: dict[str, Any]) -> list[dict[str, Any]]:
    zone = ZoneInfo(changes.get("timezone", "UTC"))
    reviews, day = [], ""
    for item in spec.split(", "):
        letter, when = item.split(" ")
        day, clock = when.split("T") if "T" in when else (day, when)
        instant = datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=zone)
        reviews.append({"rating": RATINGS[letter], "at": iso(instant)})
    return reviews


# --- orchestration -------------------------------------------------------------------------------------


def main() -> None:
    if not Path(LIBFAKETIME).exists():
        sys.exit(f"libfaketime not found at {LIBFAKETIME}: apt-get install -y faketime")
    from anki.buildinfo import buildhash, version

    histories = [
        run_job({"kind": "history", "case": case}, case["config"]["timezone"]) for case in history_cases()
    ]
    buttons = run_job({"kind": "buttons"}, "UTC")
    fuzz = run_job({"kind": "fuzz"}, "UTC", test_mode=False)
    document = {
        "about": "What Anki's own backend scheduled (FSRS on); regenerate with bench/anki_golden.py",
        "anki": {"version": version, "buildhash": buildhash},
        "config": DEFAULT_CONFIG,
        "histories": histories,
        "review_buttons": buttons,
        "fuzz_ranges": fuzz,
    }
    FIXTURE.parent.mkdir(parents=True, exist_ok=True)
    FIXTURE.write_text(compact_json(document) + "\n")
    reviews = sum(len(case["steps"]) for case in histories)
    print(
        f"wrote {FIXTURE.relative_to(ROOT)} from Anki {version}: {len(histories)} histories with {reviews} "
        f"reviews, {len(buttons['rows'])} review-button states, {len(fuzz['rows'])} fuzz ranges"
    )


def run_job(job: dict[str, Any], zone: str, test_mode: bool = True) -> Any:
    with tempfile.TemporaryDirectory() as scratch:
        clock_file = Path(scratch) / "now"
        clock_file.write_text("0\n")
        env = {
            **os.environ,
            "TZ": zone,
            "LD_PRELOAD": LIBFAKETIME,
            "FAKETIME_TIMESTAMP_FILE": str(clock_file),
            "FAKETIME_NO_CACHE": "1",
            "FAKETIME_FMT": "%s",
        }
        if test_mode:
            env["ANKI_TEST_MODE"] = "1"
        payload = json.dumps({**job, "scratch": scratch})
        command = [sys.executable, __file__, "--worker"]
        done = subprocess.run(command, input=payload, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        sys.exit(f"job {json.dumps(job)[:200]} failed:\n{done.stderr}")
    return json.loads(done.stdout)


# --- worker: runs inside libfaketime with the job's TZ ---------------------------------------------------
# Anki is imported inside functions: it is an optional tool, absent from the project's dependencies.


class AnkiCard:
    """One note's card in a fresh collection, answered at chosen times through Anki's backend."""

    def __init__(self, config: dict[str, Any], path: Path, created: datetime, notes: int = 1) -> None:
        from anki.collection import Collection

        self.clock_file = Path(os.environ["FAKETIME_TIMESTAMP_FILE"])
        self.zone = ZoneInfo(config["timezone"])
        self.rollover = int(config["day_start_hour"])
        self.set_time(created)
        self.col = Collection(str(path))
        self.configure(config)
        for index in range(notes):
            note = self.col.new_note(self.col.models.by_name("Basic"))
            note["Front"], note["Back"] = f"question {index}", "answer"
            self.col.add_note(note, 1)
        self.card_ids = list(self.col.find_cards(""))

    def configure(self, config: dict[str, Any]) -> None:
        from anki.config import Config

        col = self.col
        col.set_config("fsrs", True)
        col.set_config_bool(Config.Bool.LOAD_BALANCER_ENABLED, False)
        preferences = col.get_preferences()
        preferences.scheduling.rollover = self.rollover
        col.set_preferences(preferences)
        deck_config = col.decks.config_dict_for_deck_id(1)
        deck_config["fsrsParams6"] = list(config["parameters"])
        deck_config["desiredRetention"] = config["desired_retention"]
        deck_config["new"]["delays"] = [float(m) for m in config["learning_steps_minutes"]]
        deck_config["lapse"]["delays"] = [float(m) for m in config["relearning_steps_minutes"]]
        deck_config["lapse"]["leechFails"] = 8
        deck_config["rev"]["maxIvl"] = config["maximum_interval_days"]
        col.decks.update_config(deck_config)

    def set_time(self, instant: datetime) -> None:
        hour = instant.astimezone(self.zone).hour
        if hour in TEST_MODE_WINDOW and "ANKI_TEST_MODE" in os.environ:
            raise SystemExit(f"{instant} is {hour}h local: ANKI_TEST_MODE would shift Anki's clock")
        self.clock_file.write_text(f"{int(instant.timestamp())}\n")

    def reopen(self) -> None:
        from anki.collection import Collection

        path = self.col.path
        self.col.close()
        self.col = Collection(path)

    def answer(self, rating: int, at: datetime) -> dict[str, Any]:
        """Answer the first card at `at` as the reviewer would; return Anki's resulting state."""
        self.set_time(at)
        self.reopen()
        col, card_id = self.col, self.card_ids[0]
        card = col.get_card(card_id)
        card.start_timer()
        states = col._backend.get_scheduling_states(card_id)
        answer = col.sched.build_answer(card=card, states=states, rating=rating - 1)  # proto: AGAIN = 0
        leech = bool(col.sched.state_is_leech(answer.new_state))
        col.sched.answer_card(answer)
        card = col.get_card(card_id)
        return {
            "due": iso(self.due_instant(card.queue, card.due, at)),
            "phase": ("new", "learning", "review", "relearning")[card.type],
            "scheduled_days": card.ivl,
            "remaining_steps": card.left % 1000,
            "lapses": card.lapses,
            "stability": round(card.memory_state.stability, 4),
            "difficulty": round(card.memory_state.difficulty, 3),
            "leech": leech,
        }

    def due_instant(self, queue: int, due: int, now: datetime) -> datetime:
        """Learning cards are due at a timestamp; review and day-learning cards on a day number."""
        if queue == 1:
            return datetime.fromtimestamp(due, UTC)
        study_date = (now.astimezone(self.zone) - timedelta(hours=self.rollover)).date()
        due_date = study_date + timedelta(days=due - self.col.sched.today)
        return datetime.combine(due_date, time(self.rollover), tzinfo=self.zone).astimezone(UTC)

    def review_buttons(self, card_id: int, state: tuple[float, float, int, int], reps: int) -> list[int]:
        """Put a card in review with this memory state and last interval; the days Hard/Good/Easy give."""
        from anki.cards_pb2 import FsrsMemoryState

        stability, difficulty, last, elapsed = state
        card = self.col.get_card(card_id)
        card.type = card.queue = 2
        card.ivl, card.due, card.reps = last, self.col.sched.today + max(last - elapsed, 0), reps
        card.memory_state = FsrsMemoryState(stability=stability, difficulty=difficulty)
        card.last_review_time = int((GRID_NOW - timedelta(days=elapsed, minutes=1)).timestamp())
        self.col.update_card(card)
        states = self.col._backend.get_scheduling_states(card_id)
        return [getattr(states, b).normal.review.scheduled_days for b in ("hard", "good", "easy")]


def worker() -> None:
    job = json.loads(sys.stdin.read())
    path = Path(job["scratch"]) / "golden.anki2"
    if job["kind"] == "history":
        result: Any = history(job["case"], path)
    elif job["kind"] == "buttons":
        result = button_grid(path)
    else:
        result = fuzz_ranges(path)
    print(json.dumps(result))


def history(case: dict[str, Any], path: Path) -> dict[str, Any]:
    if "reviews" in case:
        planned = [(review["rating"], parse(review["at"])) for review in case["reviews"]]
        anki = AnkiCard(case["config"], path, planned[0][1] - timedelta(days=1))
        reviews, expected = case["reviews"], [anki.answer(rating, at) for rating, at in planned]
    else:
        reviews, expected = random_history(case, path)
    steps = [{**review, **result} for review, result in zip(reviews, expected, strict=True)]
    return {"name": case["name"], "config": case["config"], "steps": steps}


def random_history(case: dict[str, Any], path: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Answer at times that follow Anki's own due times: mostly on time, sometimes early, late or twice."""
    rng = random.Random(case["random"]["seed"])
    zone = ZoneInfo(case["config"]["timezone"])
    now = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(days=rng.randrange(900), minutes=rng.randrange(1440))
    now = outside_test_window(now, zone)
    anki = AnkiCard(case["config"], path, now - timedelta(days=1))
    reviews, expected = [], []
    for _ in range(case["random"]["length"]):
        rating = rng.choices((1, 2, 3, 4), weights=(15, 15, 55, 15))[0]
        step = anki.answer(rating, now)
        reviews.append({"rating": rating, "at": iso(now)})
        expected.append(step)
        later = min(next_review_time(rng, now, parse(step["due"])), now + timedelta(days=800))
        if later >= LAST_FAKE_TIME:
            break
        now = outside_test_window(later, zone)
    return reviews, expected


def next_review_time(rng: random.Random, now: datetime, due: datetime) -> datetime:
    wait = due - now
    mode = rng.random()
    if wait < timedelta(hours=1) or mode < 0.55:
        return due + timedelta(seconds=rng.randrange(0, 8 * 3600 if wait > timedelta(hours=1) else 1800))
    if mode < 0.72:
        return due + wait * rng.uniform(0.2, 2.5)  # late
    if mode < 0.9:
        return now + wait * rng.uniform(0.3, 0.95)  # early
    return now + timedelta(minutes=rng.randrange(5, 180))  # again the same day


def button_grid(path: Path) -> dict[str, Any]:
    anki = AnkiCard(DEFAULT_CONFIG, path, GRID_NOW - timedelta(days=30))
    anki.set_time(GRID_NOW)
    rows = []
    for stability, difficulty, last, elapsed in itertools.product(*BUTTON_GRID):
        elapsed = last if elapsed is None else elapsed  # None: reviewed on its due day
        state = (stability, difficulty, last, elapsed)
        rows.append([*state, *anki.review_buttons(anki.card_ids[0], state, reps=5)])
    return {
        "now": iso(GRID_NOW),
        "columns": ["stability", "difficulty", "last", "elapsed", "hard", "good", "easy"],
        "rows": rows,
    }


def fuzz_ranges(path: Path) -> dict[str, Any]:
    """With fuzz on, every day each button can give, over 60 cards × 3 review counts per state."""
    anki = AnkiCard(DEFAULT_CONFIG, path, GRID_NOW - timedelta(days=30), notes=60)
    anki.set_time(GRID_NOW)
    rows = []
    for state in FUZZ_STATES:
        seen: list[set[int]] = [set(), set(), set()]
        for card_id, reps in itertools.product(anki.card_ids, range(3)):
            for days, values in zip(anki.review_buttons(card_id, state, reps), seen, strict=True):
                values.add(days)
        rows.append([*state, *(sorted(values) for values in seen)])
    return {
        "now": iso(GRID_NOW),
        "columns": ["stability", "difficulty", "last", "elapsed", "hard", "good", "easy"],
        "rows": rows,
    }


def outside_test_window(instant: datetime, zone: ZoneInfo) -> datetime:
    while instant.astimezone(zone).hour in TEST_MODE_WINDOW:
        instant += timedelta(minutes=37)
    return instant.replace(microsecond=0)


def compact_json(value: Any, indent: str = "") -> str:
    """JSON with one line per short object or list (a review step, a grid row), for readable diffs."""
    flat = json.dumps(value)
    if len(flat) <= 300 or not isinstance(value, dict | list):
        return flat
    inner = indent + " "
    if isinstance(value, dict):
        items = [f"{inner}{json.dumps(key)}: {compact_json(item, inner)}" for key, item in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    return "[\n" + ",\n".join(inner + compact_json(item, inner) for item in value) + "\n" + indent + "]"


def iso(instant: datetime) -> str:
    return instant.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


if __name__ == "__main__":
    worker() if sys.argv[1:] == ["--worker"] else main()
