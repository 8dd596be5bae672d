"""`flask content import` and `flask content export-bank` as an instructor runs them."""

from __future__ import annotations

import importlib.util
import shutil
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask

from app.content import parse_text
from app.services.content_sync import sync_content

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
ROOT = Path(__file__).parents[2]
GIFT = ROOT / "tests" / "fixtures" / "banks" / "gift" / "every-construct.gift"


def test_import_prints_the_set_and_a_report_with_lines(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["content", "import", str(GIFT)])
    assert result.exit_code == 0, result.output
    parsed = parse_text("every-construct.md", result.stdout)
    assert parsed.errors == () and len(parsed.question_set.review) == 14
    assert "line 21: dropped: answer 'backprop' with 50% credit" in result.stderr
    assert "line 43: changed: an essay has no answer in GIFT; none was invented" in result.stderr
    assert "15 kept, 9 changed, 1 dropped; 0 error(s) in the converted set." in result.stderr


def test_import_writes_a_set_that_content_check_accepts(app: Flask, tmp_path: Path) -> None:
    out = tmp_path / "bank.md"
    runner = app.test_cli_runner()
    result = runner.invoke(args=["content", "import", str(GIFT), "--format", "gift", "--output", str(out)])
    assert result.exit_code == 0 and result.stdout == ""
    assert f"to {out}" in result.stderr
    check = runner.invoke(args=["content", "check", str(out)])
    assert check.exit_code == 0 and "0 with errors" in check.output


def test_import_of_an_unreadable_file_is_a_clear_error(app: Flask, tmp_path: Path) -> None:
    bad = tmp_path / "bad.gift"
    bad.write_bytes(b"\xff\xfe\x00")
    result = app.test_cli_runner().invoke(args=["content", "import", str(bad)])
    assert result.exit_code != 0 and "bad.gift: the file is not UTF-8" in result.output


def test_export_bank_gift_imports_back_to_the_same_questions(
    app: Flask, content_dir: Path, tmp_path: Path
) -> None:
    shutil.copy(ROOT / "content" / "07-lstm.md", content_dir / "07-lstm.md")
    with app.app_context():
        sync_content(content_dir, T0)
    runner = app.test_cli_runner()
    out = tmp_path / "lstm.gift"
    result = runner.invoke(args=["content", "export-bank", "lstm", "--format", "gift", "--output", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith(
        "// Long short-term memory (LSTM)\n\n$CATEGORY: $course$/top/Long short-term memory (LSTM)"
    )
    back = runner.invoke(args=["content", "import", str(out)])
    original = parse_text("07-lstm.md", (content_dir / "07-lstm.md").read_text(encoding="utf-8")).question_set
    again = parse_text("lstm.md", back.stdout).question_set
    assert [(i.id, i.type, i.answer) for i in again.review] == [
        (i.id, i.type, i.answer) for i in original.review
    ]


def test_export_bank_of_an_unknown_set_or_format(app: Flask) -> None:
    runner = app.test_cli_runner()
    missing = runner.invoke(args=["content", "export-bank", "nope", "--format", "gift"])
    assert missing.exit_code != 0 and "no published set 'nope'" in missing.output
    wrong = runner.invoke(args=["content", "export-bank", "nope", "--format", "pdf"])
    assert wrong.exit_code != 0 and "'pdf' is not one of" in wrong.output


def test_export_bank_moodle_xml_or_a_clear_error_without_it(app: Flask, content_dir: Path) -> None:
    shutil.copy(ROOT / "content" / "08-gru.md", content_dir / "08-gru.md")
    with app.app_context():
        sync_content(content_dir, T0)
    result = app.test_cli_runner().invoke(args=["content", "export-bank", "gru", "--format", "moodle-xml"])
    if importlib.util.find_spec("app.content.exporters.moodle_xml") is None:
        assert result.exit_code != 0 and "moodle-xml: export format not available" in result.output
    else:
        assert result.exit_code == 0 and result.stdout.startswith("<?xml") and "<quiz>" in result.stdout
