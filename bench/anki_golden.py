"""Record how Anki itself schedules review histories, as the oracle for Unroll's scheduler.

Writes tests/fixtures/anki_golden.json: for each case, a config, the reviews (rating and time) and, after
each review, the due time and card state Anki's own Rust backend gave with FSRS on and fuzz off.
tests/unit/test_srs_anki_golden.py replays the same reviews through app.srs and expects the same.

Setup (Anki stays out of pyproject.toml; the JSON file is the oracle, this script only regenerates it):

    .venv/bin/pip install anki==26.9.3     # Anki's headless Python package, with its Rust backend
    apt-get install -y faketime            # libfaketime, to answer cards at chosen times
    .venv/bin/python bench/anki_golden.py  # about a minute; prints a summary

How Anki is driven:
- Each case runs in a fresh child process and a fresh collection, under libfaketime
  (FAKETIME_TIMESTAMP_FILE + FAKETIME_NO_CACHE, rewritten before each answer) with TZ set to the case's
  time zone: Anki reads the system clock and the local zone itself.
- Fuzz: Anki has no switch for it; its backend disables fuzz when ANKI_TEST_MODE is set (`get_fuzz_seed`
  returns None, which also disables the load balancer's random pick). The load balancer is also switched
  off in the preferences. ANKI_TEST_MODE has one side effect: between 02:00 and 04:00 local time the
  backend shifts its clock back two hours, so no review may fall in that window (checked below).
- Each answer uses the backend's own scheduling states (`get_scheduling_states`) and `answer_card`,
  as the reviewer does; the due day of review and day-learning cards is turned into the instant that day
  starts (rollover hour, local time) in the case's zone.
- Some cases are written by hand (steps, lapses, leeches, day boundaries, DST, limits); the rest are
  random histories whose review times follow Anki's own due times (on time, early, late, same day).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "anki_golden.json"
LIBFAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"

DEFAULT_PARAMETERS = [
    0.212, 1.2931, 2.3065, 8.2956, 6.4133, 0.8334, 3.0194, 0.001, 1.8722, 0.1666, 0.796,
    1.4835, 0.0614, 0.2629, 1.6483, 0.6014, 1.8729, 0.5425, 0.0912, 0.0658, 0.1542,
]  # fmt: skip
# A plausible optimised parameter set (inside every fsrs-rs bound), to exercise non-default weights.
CUSTOM_PARAMETERS = [
    0.4, 1.8, 3.6, 12.5, 6.9, 0.62, 2.4, 0.005, 1.55, 0.21, 0.9,
    1.7, 0.09, 0.31, 1.9, 0.45, 2.4, 0.38, 0.25, 0.11, 0.22,
]  # fmt: skip
DEFAULT_CONFIG = {
    "parameters": DEFAULT_PARAMETERS,
    "desired_retention": 0.9,
    "learning_steps_minutes": [1, 10],
    "relearning_steps_minutes": [10],
    "maximum_interval_days": 36500,
    "fuzz": False,
    "timezone": "UTC",
    "day_start_hour": 4,
}
AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4
TEST_MODE_WINDOW = range(2, 4)  # local hours in which ANKI_TEST_MODE shifts Anki's clock
LAST_FAKE_TIME = datetime(2037, 1, 1, tzinfo=UTC)  # libfaketime's %s parsing wraps at 2038


# --- cases ---------------------------------------------------------------------------------------------


def config(**changes: object) -> dict[str, object]:
    return {**DEFAULT_CONFIG, **changes}


def local(zone: str, text: str) -> str:
    """A local wall-clock time in `zone` as ISO-8601 UTC."""
    instant = datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)
    return instant.isoformat().replace("+00:00", "Z")


def reviews(zone: str, *pairs: tuple[int, str]) -> list[dict[str, object]]:
    return [{"rating": rating, "at": local(zone, text)} for rating, text in pairs]


def lapse_cycle(zone: str, start: date, lapses: int) -> list[tuple[int, str]]:
    """Graduate a card, then each day: Again at 10:00, Good after the 10-minute relearning step."""
    pairs = [(GOOD, f"{start}T09:00"), (GOOD, f"{start}T09:01"), (GOOD, f"{start}T09:12")]
    for n in range(1, lapses + 1):
        day = start + timedelta(days=n)
        pairs += [(AGAIN, f"{day}T10:00"), (GOOD, f"{day}T10:11")]
    return pairs


def hand_written_cases() -> list[dict[str, object]]:
    ny, tokyo, berlin, utc = "America/New_York", "Asia/Tokyo", "Europe/Berlin", "UTC"
    cases = [
        {
            "name": f"new card answered {name}",
            "config": config(),
            "reviews": reviews(utc, (r, "2025-01-15T10:00")),
        }
        for r, name in ((AGAIN, "again"), (HARD, "hard"), (GOOD, "good"), (EASY, "easy"))
    ]
    cases += [
        {
            "name": "learning steps 1m 10m then graduation",
            "config": config(),
            "reviews": reviews(
                utc, (GOOD, "2025-01-15T10:00"), (GOOD, "2025-01-15T10:01"), (GOOD, "2025-01-15T10:11")
            ),
        },
        {
            "name": "hard on the first step twice, then good twice",
            "config": config(timezone=ny),
            "reviews": reviews(
                ny,
                (HARD, "2025-01-15T05:00"),
                (HARD, "2025-01-15T05:06"),
                (GOOD, "2025-01-15T05:16"),
                (GOOD, "2025-01-15T05:27"),
                (GOOD, "2025-01-16T09:00"),
            ),
        },
        {
            "name": "again resets the steps, easy graduates from any step",
            "config": config(),
            "reviews": reviews(
                utc,
                (GOOD, "2025-02-01T12:00"),
                (AGAIN, "2025-02-01T12:02"),
                (GOOD, "2025-02-01T12:04"),
                (EASY, "2025-02-01T12:15"),
                (GOOD, "2025-02-10T08:00"),
                (HARD, "2025-03-20T18:00"),
            ),
        },
        {
            "name": "many agains in one day drive stability to its floor",
            "config": config(),
            "reviews": reviews(
                utc,
                *[(AGAIN, f"2025-01-15T10:{2 * i:02d}") for i in range(14)],
                (GOOD, "2025-01-15T11:00"),
                (EASY, "2025-01-15T11:20"),
            ),
        },
        {
            "name": "review card: hard, good, easy and a lapse with relearning",
            "config": config(timezone=berlin),
            "reviews": reviews(
                berlin,
                (EASY, "2025-04-01T08:00"),
                (GOOD, "2025-04-09T19:00"),
                (HARD, "2025-05-01T07:30"),
                (EASY, "2025-06-02T12:00"),
                (AGAIN, "2025-09-15T21:00"),
                (AGAIN, "2025-09-15T21:11"),
                (HARD, "2025-09-15T21:22"),
                (GOOD, "2025-09-15T21:40"),
                (GOOD, "2025-09-17T06:00"),
            ),
        },
        {
            "name": "leech at 8 lapses and every 4 after",
            "config": config(),
            "reviews": reviews(utc, *lapse_cycle(utc, date(2025, 1, 10), 13)),
        },
        {
            "name": "maximum interval of 30 days",
            "config": config(maximum_interval_days=30),
            "reviews": reviews(
                utc,
                (EASY, "2025-01-01T10:00"),
                (EASY, "2025-01-09T10:00"),
                (EASY, "2025-02-08T10:00"),
                (GOOD, "2025-03-10T10:00"),
                (HARD, "2025-04-09T10:00"),
            ),
        },
        {
            "name": "Tokyo: 01:30 and 04:30 are different study days, 23:50 and 00:30 the same",
            "config": config(timezone=tokyo),
            "reviews": reviews(
                tokyo,
                (GOOD, "2025-05-10T01:00"),
                (GOOD, "2025-05-10T01:05"),
                (GOOD, "2025-05-10T01:30"),
                (GOOD, "2025-05-10T04:30"),
                (GOOD, "2025-05-12T23:50"),
                (GOOD, "2025-05-13T00:30"),
                (HARD, "2025-05-13T04:01"),
            ),
        },
        {
            "name": "New York: 01:59 and 04:00 are different study days",
            "config": config(timezone=ny),
            "reviews": reviews(
                ny,
                (EASY, "2025-06-01T01:59"),
                (GOOD, "2025-06-09T01:59"),
                (GOOD, "2025-06-09T04:00"),
                (AGAIN, "2025-07-30T04:00"),
                (GOOD, "2025-07-30T04:11"),
            ),
        },
        {
            "name": "rollover at 6: a step crossing it is due when the day starts",
            "config": config(timezone=berlin, day_start_hour=6),
            "reviews": reviews(
                berlin,
                (GOOD, "2025-03-03T05:50"),
                (GOOD, "2025-03-03T05:55"),
                (GOOD, "2025-03-03T06:00"),
                (GOOD, "2025-03-04T05:59"),
                (GOOD, "2025-03-04T06:01"),
                (AGAIN, "2025-03-20T05:55"),
                (GOOD, "2025-03-20T06:05"),
            ),
        },
        {
            "name": "DST spring forward in New York",
            "config": config(timezone=ny),
            "reviews": reviews(
                ny,
                (GOOD, "2025-03-08T22:00"),
                (GOOD, "2025-03-08T22:01"),
                (GOOD, "2025-03-08T23:55"),
                (GOOD, "2025-03-09T04:30"),
                (HARD, "2025-03-10T04:15"),
                (GOOD, "2025-03-11T23:30"),
            ),
        },
        {
            "name": "DST fall back in New York: Anki counts the 25-hour day from the next rollover",
            "config": config(timezone=ny),
            "reviews": reviews(
                ny,
                (GOOD, "2025-10-30T09:00"),
                (GOOD, "2025-10-30T09:01"),
                (GOOD, "2025-10-30T09:12"),
                (GOOD, "2025-11-01T04:30"),
                (GOOD, "2025-11-02T10:00"),
                (AGAIN, "2025-11-02T23:58"),
                (GOOD, "2025-11-03T00:10"),
            ),
        },
        {
            "name": "no learning or relearning steps: FSRS short-term scheduling",
            "config": config(learning_steps_minutes=[], relearning_steps_minutes=[]),
            "reviews": reviews(
                utc,
                (AGAIN, "2025-01-15T10:00"),
                (AGAIN, "2025-01-15T10:10"),
                (HARD, "2025-01-15T11:00"),
                (GOOD, "2025-01-15T15:00"),
                (GOOD, "2025-01-20T10:00"),
                (AGAIN, "2025-02-20T10:00"),
                (AGAIN, "2025-02-20T12:00"),
                (GOOD, "2025-02-21T10:00"),
            ),
        },
        {
            "name": "long steps: a one-day step and a three-day relearning step",
            "config": config(learning_steps_minutes=[30, 1440], relearning_steps_minutes=[4320]),
            "reviews": reviews(
                utc,
                (HARD, "2025-01-15T10:00"),
                (GOOD, "2025-01-15T10:45"),
                (HARD, "2025-01-16T10:00"),
                (GOOD, "2025-01-17T09:00"),
                (GOOD, "2025-01-22T09:00"),
                (AGAIN, "2025-02-22T09:00"),
                (HARD, "2025-02-25T09:00"),
                (GOOD, "2025-03-02T09:00"),
            ),
        },
        {
            "name": "a single learning step: hard is 1.5 times it",
            "config": config(learning_steps_minutes=[20], relearning_steps_minutes=[5, 30]),
            "reviews": reviews(
                utc,
                (HARD, "2025-01-15T10:00"),
                (GOOD, "2025-01-15T10:30"),
                (GOOD, "2025-01-17T10:00"),
                (AGAIN, "2025-01-27T10:00"),
                (HARD, "2025-01-27T10:05"),
                (GOOD, "2025-01-27T10:12"),
                (GOOD, "2025-01-27T10:45"),
            ),
        },
        {
            "name": "early and same-day reviews of a review card",
            "config": config(timezone=tokyo),
            "reviews": reviews(
                tokyo,
                (EASY, "2025-08-01T12:00"),
                (GOOD, "2025-08-05T12:00"),
                (GOOD, "2025-08-05T18:00"),
                (EASY, "2025-08-06T09:00"),
                (HARD, "2025-08-20T09:00"),
                (GOOD, "2025-08-20T09:30"),
            ),
        },
        {
            "name": "very late reviews",
            "config": config(),
            "reviews": reviews(
                utc,
                (GOOD, "2024-01-01T10:00"),
                (GOOD, "2024-01-01T10:01"),
                (GOOD, "2024-01-01T10:12"),
                (GOOD, "2024-06-01T10:00"),
                (HARD, "2025-06-01T10:00"),
                (EASY, "2027-01-01T10:00"),
            ),
        },
        {
            "name": "desired retention 0.8 and 0.97 with custom parameters",
            "config": config(parameters=CUSTOM_PARAMETERS, desired_retention=0.8),
            "reviews": reviews(
                utc,
                (GOOD, "2025-01-15T10:00"),
                (GOOD, "2025-01-15T10:01"),
                (GOOD, "2025-01-15T10:12"),
                (GOOD, "2025-01-20T10:00"),
                (AGAIN, "2025-03-01T10:00"),
                (GOOD, "2025-03-01T10:15"),
                (EASY, "2025-03-09T10:00"),
            ),
        },
        {
            "name": "desired retention 0.97",
            "config": config(desired_retention=0.97),
            "reviews": reviews(
                utc,
                (EASY, "2025-01-15T10:00"),
                (GOOD, "2025-01-18T10:00"),
                (GOOD, "2025-01-23T10:00"),
                (HARD, "2025-02-01T10:00"),
                (EASY, "2025-02-11T10:00"),
            ),
        },
    ]
    return cases


RANDOM_PROFILES = [
    ("default, UTC", config()),
    ("default, New York", config(timezone="America/New_York")),
    ("default, Tokyo", config(timezone="Asia/Tokyo")),
    ("default, Sydney", config(timezone="Australia/Sydney")),
    ("retention 0.85, Berlin", config(timezone="Europe/Berlin", desired_retention=0.85)),
    ("custom parameters, retention 0.93, Los Angeles", config(timezone="America/Los_Angeles", parameters=CUSTOM_PARAMETERS, desired_retention=0.93)),
    ("three learning steps, two relearning steps, max 365 days", config(learning_steps_minutes=[1, 10, 60], relearning_steps_minutes=[10, 60], maximum_interval_days=365)),
]  # fmt: skip


def random_cases(count: int) -> list[dict[str, object]]:
    cases = []
    for index in range(count):
        name, profile = RANDOM_PROFILES[index % len(RANDOM_PROFILES)]
        cases.append(
            {
                "name": f"random history {index} ({name})",
                "config": profile,
                "random": {"seed": index, "length": 12 + index % 19},
            }
        )
    return cases


# --- orchestration -------------------------------------------------------------------------------------


def main() -> None:
    if not Path(LIBFAKETIME).exists():
        sys.exit(f"libfaketime not found at {LIBFAKETIME}: apt-get install -y faketime")
    from anki.buildinfo import buildhash, version

    cases = hand_written_cases() + random_cases(44)
    results = [run_case(case) for case in cases]
    document = {
        "about": "Due times Anki gave (FSRS on, fuzz off) for these histories; regenerate with bench/anki_golden.py",
        "anki": {"version": version, "buildhash": buildhash},
        "cases": results,
    }
    FIXTURE.parent.mkdir(parents=True, exist_ok=True)
    FIXTURE.write_text(json.dumps(document, indent=1) + "\n")
    total = sum(len(case["reviews"]) for case in results)
    print(f"wrote {FIXTURE.relative_to(ROOT)}: {len(results)} histories, {total} reviews (Anki {version})")


def run_case(case: dict[str, object]) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as scratch:
        clock_file = Path(scratch) / "now"
        clock_file.write_text("0\n")
        env = {
            **os.environ,
            "TZ": str(case["config"]["timezone"]),  # type: ignore[index]
            "LD_PRELOAD": LIBFAKETIME,
            "FAKETIME_TIMESTAMP_FILE": str(clock_file),
            "FAKETIME_NO_CACHE": "1",
            "FAKETIME_FMT": "%s",
            "ANKI_TEST_MODE": "1",
        }
        payload = json.dumps({"case": case, "scratch": scratch})
        done = subprocess.run(
            [sys.executable, __file__, "--worker"],
            input=payload,
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
    if done.returncode != 0:
        sys.exit(f"case {case['name']!r} failed:\n{done.stderr}")
    return json.loads(done.stdout)


# --- worker: runs inside libfaketime with the case's TZ ---------------------------------------------------


class AnkiCard:
    """One note's card in a fresh collection, answered at chosen times through Anki's backend."""

    def __init__(
        self, case_config: dict[str, object], scratch: str, clock_file: Path, created: datetime
    ) -> None:
        from anki.collection import Collection

        self.clock_file = clock_file
        self.zone = ZoneInfo(str(case_config["timezone"]))
        self.rollover = int(case_config["day_start_hour"])  # type: ignore[arg-type]
        self.set_time(created)
        self.col = Collection(str(Path(scratch) / "golden.anki2"))
        self.configure(case_config)
        note = self.col.new_note(self.col.models.by_name("Basic"))
        note["Front"], note["Back"] = "question", "answer"
        self.col.add_note(note, 1)
        self.card_id = self.col.find_cards("")[0]

    def reopen(self) -> None:
        """Anki caches today's timing until the cached rollover passes, so a session left open across a
        DST change rolls over an hour off. Reopening before each answer gives the stateless answer a
        freshly opened Anki gives, which is what Unroll reproduces."""
        from anki.collection import Collection

        path = self.col.path
        self.col.close()
        self.col = Collection(path)

    def configure(self, case_config: dict[str, object]) -> None:
        from anki.config import Config

        col = self.col
        col.set_config("fsrs", True)
        col.set_config_bool(Config.Bool.LOAD_BALANCER_ENABLED, False)
        preferences = col.get_preferences()
        preferences.scheduling.rollover = self.rollover
        col.set_preferences(preferences)
        deck_config = col.decks.config_dict_for_deck_id(1)
        deck_config["fsrsParams6"] = list(case_config["parameters"])  # type: ignore[call-overload]
        deck_config["desiredRetention"] = case_config["desired_retention"]
        deck_config["new"]["delays"] = [float(m) for m in case_config["learning_steps_minutes"]]  # type: ignore[attr-defined]
        deck_config["lapse"]["delays"] = [float(m) for m in case_config["relearning_steps_minutes"]]  # type: ignore[attr-defined]
        deck_config["lapse"]["leechFails"] = 8
        deck_config["rev"]["maxIvl"] = case_config["maximum_interval_days"]
        col.decks.update_config(deck_config)

    def set_time(self, instant: datetime) -> None:
        local_hour = instant.astimezone(self.zone).hour
        if local_hour in TEST_MODE_WINDOW:
            raise SystemExit(f"{instant} is {local_hour}h local: ANKI_TEST_MODE would shift Anki's clock")
        self.clock_file.write_text(f"{int(instant.timestamp())}\n")

    def answer(self, rating: int, at: datetime) -> dict[str, object]:
        self.set_time(at)
        self.reopen()
        col = self.col
        card = col.get_card(self.card_id)
        card.start_timer()
        states = col._backend.get_scheduling_states(self.card_id)
        answer = col.sched.build_answer(card=card, states=states, rating=rating - 1)  # proto: AGAIN = 0
        leech = bool(col.sched.state_is_leech(answer.new_state))
        col.sched.answer_card(answer)
        card = col.get_card(self.card_id)
        memory = card.memory_state
        return {
            "due": self.due_instant(card, at).isoformat().replace("+00:00", "Z"),
            "phase": ("new", "learning", "review", "relearning")[card.type],
            "scheduled_days": card.ivl,
            "remaining_steps": card.left % 1000,
            "lapses": card.lapses,
            "stability": round(memory.stability, 4),
            "difficulty": round(memory.difficulty, 3),
            "leech": leech,
        }

    def due_instant(self, card: object, now: datetime) -> datetime:
        """Learning cards are due at a timestamp; review and day-learning cards on a day number."""
        queue, due = card.queue, card.due  # type: ignore[attr-defined]
        if queue == 1:
            return datetime.fromtimestamp(due, UTC)
        study_date = (now.astimezone(self.zone) - timedelta(hours=self.rollover)).date()
        due_date = study_date + timedelta(days=due - self.col.sched.today)
        return datetime.combine(due_date, time(self.rollover), tzinfo=self.zone).astimezone(UTC)


def worker() -> None:
    request = json.loads(sys.stdin.read())
    case, scratch = request["case"], request["scratch"]
    clock_file = Path(os.environ["FAKETIME_TIMESTAMP_FILE"])
    if "reviews" in case:
        planned = [(r["rating"], parse(r["at"])) for r in case["reviews"]]
        anki = AnkiCard(case["config"], scratch, clock_file, planned[0][1] - timedelta(days=1))
        expected = [anki.answer(rating, at) for rating, at in planned]
        reviews = case["reviews"]
    else:
        reviews, expected = random_history(case, scratch, clock_file)
    print(
        json.dumps({"name": case["name"], "config": case["config"], "reviews": reviews, "expected": expected})
    )


def random_history(
    case: dict[str, object], scratch: str, clock_file: Path
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """Answer at times that follow Anki's own due times: mostly on time, sometimes early, late or twice."""
    spec = case["random"]
    rng = random.Random(spec["seed"])  # type: ignore[index]
    zone = ZoneInfo(str(case["config"]["timezone"]))  # type: ignore[index]
    now = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(days=rng.randrange(900), minutes=rng.randrange(1440))
    now = outside_test_window(now, zone)
    anki = AnkiCard(case["config"], scratch, clock_file, now - timedelta(days=1))  # type: ignore[arg-type]
    reviews, expected = [], []
    for _ in range(spec["length"]):  # type: ignore[index]
        rating = rng.choices((AGAIN, HARD, GOOD, EASY), weights=(15, 15, 55, 15))[0]
        step = anki.answer(rating, now)
        reviews.append({"rating": rating, "at": now.isoformat().replace("+00:00", "Z")})
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


def outside_test_window(instant: datetime, zone: ZoneInfo) -> datetime:
    while instant.astimezone(zone).hour in TEST_MODE_WINDOW:
        instant += timedelta(minutes=37)
    return instant.replace(microsecond=0)


def parse(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


if __name__ == "__main__":
    worker() if sys.argv[1:] == ["--worker"] else main()
