"""Benchmark: check, cold sync and one-file re-sync of generated question sets.

Usage: python bench/content.py [--sizes 100 1000] [--database-url URL] [--hostile]
Goal on a 2-core machine: 1,000 files sync cold in under 5 s; re-sync after a one-file edit in under 0.5 s.
--hostile: seconds to check each hostile file of tests/hostile_content.py (issue 9: each under 5 s).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text

from app import create_app
from app.content import check_path, content_files
from app.extensions import db
from app.services.content_sync import sync_content

QUESTIONS_PER_SET = 25


def question_set(number: int) -> str:
    """A native-dialect set of 25 typed questions; every file differs."""
    lines = [
        "+++",
        f'title = "Generated set {number}"',
        f"weight = {number}",
        'dialect = "native"',
        "+++",
        "## Preview",
        f"1. What does set {number} ask?",
        "## Explain",
        f"Set {number} explains $h_t = \\tanh(W h_{{t-1}} + U x_t)$ with an example.",
        "## Keypoint",
        "1. The state carries context.",
        "2. Weights are shared.",
        "## Review",
    ]
    for q in range(1, QUESTIONS_PER_SET + 1):
        lines += [f"{q}. In set {number}, what does step {q} of the unrolled network reuse?"]
        if q % 3 == 0:
            lines += ["   - [x] The same weights", "   - [ ] New weights — unrolling copies nothing."]
        else:
            lines += [f"   Answer: The weights of step {q - 1}, which are the same matrices."]
        lines += [f"   ID: g{number}-q{q}", "   Covers: 2", ""]
    return "\n".join(lines) + "\n"


def timed(action) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def run(size: int, database_url: str, folder: Path) -> dict[str, float]:
    for number in range(size):
        (folder / f"set-{number:04d}.md").write_text(question_set(number), encoding="utf-8")
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench", "UNROLL_CONTENT_DIR": str(folder)}
    )
    with app.app_context():
        db.drop_all()
        if database_url.startswith("postgresql"):
            with db.engine.begin() as connection:
                connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.create_all()
        check = timed(lambda: [check_path(p) for p in content_files(folder)])
        cold = timed(lambda: sync_content(folder, datetime.now(UTC)))
        edited = folder / "set-0007.md"
        edited.write_text(edited.read_text().replace("what does step 3", "what does step three"))
        resync = timed(lambda: sync_content(folder, datetime.now(UTC)))
        unchanged = timed(lambda: sync_content(folder, datetime.now(UTC)))
        db.drop_all()
        db.engine.dispose()
    return {"check": check, "sync cold": cold, "re-sync one file": resync, "re-sync nothing": unchanged}


def hostile() -> None:
    """Check time of every hostile file, the heaviest allowed file and a 50 MB file."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.hostile_content import HOSTILE, heaviest_allowed, write_huge

    print(f"{'hostile file':<26}{'bytes':>10}{'check (s)':>11}  first error")
    with tempfile.TemporaryDirectory() as tmp:
        files = dict(HOSTILE) | {"heaviest-allowed": heaviest_allowed}
        for name, make in files.items():
            path = Path(tmp) / f"{name}.md"
            path.write_bytes(make())
            figures(name, path)
        huge = Path(tmp) / "fifty-megabytes.md"
        write_huge(huge)
        figures("fifty-megabytes", huge)


def figures(name: str, path: Path) -> None:
    start = time.perf_counter()
    result = check_path(path)
    seconds = time.perf_counter() - start
    error = f"{result.errors[0].line}: {result.errors[0].message[:60]}" if result.errors else "(loads)"
    print(f"{name:<26}{path.stat().st_size:>10,}{seconds:>11.2f}  {error}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--hostile", action="store_true", help="time hostile files instead")
    args = parser.parse_args()
    if args.hostile:
        hostile()
        return
    print(
        f"{'database':<11}{'files':>6}{'cards':>8}  {'check':>8}{'sync cold':>11}{'1-file':>9}{'no-op':>8}  (s)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        targets = [("sqlite", f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")]
        if args.database_url:
            targets.append(("postgresql", args.database_url))
        for name, url in targets:
            for size in args.sizes:
                folder = Path(tmp) / f"{name}-{size}"
                folder.mkdir()
                t = run(size, url, folder)
                print(
                    f"{name:<11}{size:>6}{size * QUESTIONS_PER_SET:>8}  {t['check']:>8.2f}"
                    f"{t['sync cold']:>11.2f}{t['re-sync one file']:>9.3f}{t['re-sync nothing']:>8.3f}"
                )


if __name__ == "__main__":
    main()
