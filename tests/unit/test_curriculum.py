"""The course in content/: complete, well-formed sets, every key point tested, seeds covered."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from app.content import QuestionSet, QuestionType, content_files, parse_file
from app.content.review import CLOZE

ROOT = Path(__file__).resolve().parents[2]
CONTENT = ROOT / "content"
SEEDS = ROOT.parent / "shared" / "seeds"
COVERAGE_TABLE = ROOT / "docs" / "seed-coverage.md"
FILES = content_files(CONTENT)


def load(path: Path) -> QuestionSet:
    result = parse_file(path.name, path.read_bytes())
    assert result.errors == () and result.warnings == (), [p.describe(path.name) for p in result.errors]
    assert result.question_set is not None
    return result.question_set


SETS = {path.name: load(path) for path in FILES}
BY_SLUG = {s.slug: s for s in SETS.values()}


def words(markdown: str) -> int:
    prose = re.sub(r"\$\$.+?\$\$|\$[^$\n]+\$|```.*?```", " ", markdown, flags=re.DOTALL)
    return len(re.findall(r"[A-Za-z][A-Za-z'’-]*|\d+(?:\.\d+)?", prose))


def test_the_course_has_at_least_twelve_native_sets_in_a_clear_order() -> None:
    assert len(SETS) >= 12
    assert all(s.dialect == "native" for s in SETS.values())
    weights = [s.weight for s in SETS.values()]
    assert len(set(weights)) == len(weights), "two sets share a weight, so their order is arbitrary"


def test_the_course_reaches_attention_decoding_text_linear_recurrences_and_lstm_variants() -> None:
    assert {"attention", "decoding", "representing-text", "linear-recurrences", "lstm-variants"} <= set(
        BY_SLUG
    )


@pytest.mark.parametrize("name", list(SETS))
def test_each_set_cites_its_sources_when_it_was_written_or_corrected_after_review(name: str) -> None:
    s = SETS[name]
    if s.weight >= 10:  # sets 10-12 were corrected against sources, 13 on were written with them
        assert len(s.sources) >= 2 and all(re.search(r"\b(19|20)\d\d\b", source) for source in s.sources)


@pytest.mark.parametrize("name", list(SETS))
def test_each_set_has_the_shape_of_a_lesson(name: str) -> None:
    s = SETS[name]
    assert len(s.preview) == 5
    assert 300 <= words(s.explain) <= 700, words(s.explain)
    assert "$" in s.explain, "the explanation should give its equations"
    assert 6 <= len(s.keypoints) <= 10
    assert len(s.review) >= 15
    kinds = Counter(item.type for item in s.review)
    assert set(kinds) == set(QuestionType), f"missing question types: {set(QuestionType) - set(kinds)}"


@pytest.mark.parametrize("name", list(SETS))
def test_every_key_point_is_tested_by_a_review_question(name: str) -> None:
    s = SETS[name]
    covered = {number for item in s.review for number in item.covers}
    assert covered == set(range(1, len(s.keypoints) + 1))


@pytest.mark.parametrize("name", list(SETS))
def test_typed_questions_explain_their_answers(name: str) -> None:
    for item in SETS[name].review:
        if item.type is QuestionType.CHOICE:
            wrong = [o for o in item.options if not o.correct]
            assert wrong and all(o.explanation for o in wrong), f"{item.id}: explain every wrong option"
        if item.type is QuestionType.TRUE_FALSE:
            assert item.explanation, f"{item.id}: a true/false question needs an explanation"
        if item.type is QuestionType.SHORT:
            assert item.answer.strip(), item.id


@pytest.mark.parametrize("name", list(SETS))
def test_every_set_asks_all_five_kinds_of_question(name: str) -> None:
    kinds = {item.type for item in SETS[name].review}
    assert kinds == set(QuestionType), f"missing question types: {sorted(set(QuestionType) - kinds)}"


def _true_false_answers(s: QuestionSet) -> list[bool]:
    return [
        item.answer.strip().lower() == "true" for item in s.review if item.type is QuestionType.TRUE_FALSE
    ]


def test_true_false_answers_are_about_half_true_across_the_course() -> None:
    answers = [answer for s in SETS.values() for answer in _true_false_answers(s)]
    share = sum(answers) / len(answers)
    assert 0.4 <= share <= 0.6, f"{sum(answers)} of {len(answers)} true/false answers are True"


@pytest.mark.parametrize("name", list(SETS))
def test_a_set_with_several_true_false_questions_does_not_make_them_all_false(name: str) -> None:
    answers = _true_false_answers(SETS[name])
    if len(answers) >= 3:
        assert any(answers), f"all {len(answers)} true/false answers are False: a learner can guess them"


def _normalised_question(text: str) -> str:
    """The question as its words: cloze markup reduced to the shown answer, case and punctuation dropped."""
    text = CLOZE.sub(lambda m: m.group(2).split("|")[0], text)
    return " ".join(re.findall(r"[^\W_]+", text.lower()))


def test_no_two_cards_in_the_course_ask_the_same_question() -> None:
    seen: dict[str, str] = {}
    for name, s in SETS.items():
        for item in s.review:
            key = _normalised_question(item.question)
            assert key not in seen, f"{name} {item.id} repeats {seen[key]}"
            seen[key] = f"{name} {item.id}"


@pytest.mark.parametrize("name", list(SETS))
def test_typed_answers_list_no_empty_alternative(name: str) -> None:
    for item in SETS[name].review:
        for match in CLOZE.finditer(item.question):
            assert all(alt.strip() for alt in match.group(2).split("|")), f"{item.id}: empty alternative"
        assert all(alt.strip() for alt in item.accept), f"{item.id}: empty Accept entry"


def test_the_course_has_at_least_250_review_questions() -> None:
    assert sum(len(s.review) for s in SETS.values()) >= 250


def _demo_links() -> list[tuple[str, str]]:
    found = []
    for name, path in ((p.name, p) for p in FILES):
        for url in re.findall(r"\]\((/demo[^)\s]*)\)", path.read_text(encoding="utf-8")):
            found.append((name, url))
    return found


def test_demo_links_use_only_the_demo_parameters() -> None:
    links = _demo_links()
    assert len(links) >= 12
    for name, url in links:
        query = parse_qs(urlsplit(url).query, strict_parsing=True)
        assert set(query) <= {"text", "cell", "temperature", "position", "compare", "unit", "hide"}, (
            name,
            url,
        )
        assert query.get("cell", ["vanilla"])[0] in {"vanilla", "gru", "lstm"}, (name, url)
        assert 0 < float(query.get("temperature", ["1"])[0]) <= 5, (name, url)
        assert query.get("text", ["x"])[0].strip(), (name, url)


def _coverage_rows() -> list[dict[str, str]]:
    lines = [line for line in COVERAGE_TABLE.read_text(encoding="utf-8").splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    return [
        dict(zip(header, (c.strip() for c in line.strip("|").split("|")), strict=True)) for line in lines[2:]
    ]


def test_the_coverage_table_lists_every_seed_question() -> None:
    items = Counter(row["Seed"] for row in _coverage_rows())
    assert items["002"] == 20
    assert items["000"] == 10 and items["001"] == 10
    assert items["004"] >= 10


def test_the_coverage_table_names_items_that_exist() -> None:
    for row in _coverage_rows():
        slug = row["Set"].strip("`")
        assert slug in BY_SLUG, row
        target = BY_SLUG[slug]
        refs = [ref.strip("`") for ref in row["Answered by"].split(", ")]
        assert refs[0].startswith("review:"), row
        for ref in refs:
            kind, _, value = ref.partition(":")
            if kind == "review":
                assert value in {item.id for item in target.review}, row
            elif kind == "keypoint":
                assert 1 <= int(value) <= len(target.keypoints), row
            else:
                assert kind == "explain", row


def _eight_word_runs(text: str) -> set[tuple[str, ...]]:
    """Runs of eight words with at least six different ones (a list of terms is not a sentence)."""
    tokens = re.findall(r"[a-z0-9]+", text.lower())
    runs = (tuple(tokens[i : i + 8]) for i in range(len(tokens) - 7))
    return {run for run in runs if len(set(run)) >= 6}


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed pages live in ../shared/seeds")
def test_no_sentence_is_copied_from_the_seed_pages() -> None:
    seed_runs = set().union(*(_eight_word_runs(p.read_text(errors="replace")) for p in SEEDS.glob("0*.txt")))
    for path in FILES:
        copied = _eight_word_runs(path.read_text(encoding="utf-8")) & seed_runs
        assert not copied, f"{path.name} repeats the seeds: {[' '.join(run) for run in copied][:3]}"


def test_flask_content_check_passes_the_whole_course(tmp_path: Path) -> None:
    from app import create_app

    app = create_app(
        {
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}",
            "UNROLL_CONTENT_DIR": str(CONTENT),
            "UNROLL_CONTENT_RELOAD_SECONDS": -1,
        }
    )
    result = app.test_cli_runner().invoke(args=["content", "check", "--json"])
    files = json.loads(result.output)["files"]
    assert result.exit_code == 0
    assert len(files) == len(SETS)
    assert all(f["errors"] == [] and f["warnings"] == [] for f in files)
