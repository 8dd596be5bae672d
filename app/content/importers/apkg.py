"""Anki packages (.apkg, legacy .colpkg): Basic and Cloze notes become open and cloze questions.

The package is a zip holding a SQLite collection; it is copied to a temporary file (bounded in
size) and read with sqlite3. Nothing is extracted by the archive's own paths."""

from __future__ import annotations

import io
import json
import lzma
import re
import sqlite3
import tempfile
import zipfile
import zlib
from pathlib import Path
from typing import Any

from app.content.importers import ImportFailed
from app.content.importers.html_md import html_to_markdown, strip_controls
from app.content.importers.native import ImportedOption, ImportedQuestion, ImportResult, ReportLine, build_set

MAX_PACKAGE = 64 * 1024 * 1024
MAX_COLLECTION = 256 * 1024 * 1024
_NAMES = ("collection.anki21", "collection.anki2")
_CHUNK = 1 << 20
_BASIC, _CLOZE = 0, 1
_CLOZE_MARK = re.compile(r"\{\{c\d+::(.*?)\}\}", re.S)
_UNROLL_CHOICE = re.compile(r"<p><em>(Choose one option\.|Choose every right option\.)</em></p>")


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path) -> None:
    """Copy one member to `target`, refusing more than MAX_COLLECTION bytes whatever the header says."""
    if info.file_size > MAX_COLLECTION:
        raise ImportFailed(f"{info.filename} is larger than {MAX_COLLECTION // (1024 * 1024)} MB.")
    written = 0
    with archive.open(info) as source, target.open("wb") as out:
        while chunk := source.read(_CHUNK):
            written += len(chunk)
            if written > MAX_COLLECTION:
                raise ImportFailed(
                    f"{info.filename} unpacks to more than {MAX_COLLECTION // (1024 * 1024)} MB."
                )
            out.write(chunk)


def _collection_member(archive: zipfile.ZipFile) -> zipfile.ZipInfo:
    members = {info.filename: info for info in archive.infolist()}
    if "collection.anki21" in members:
        return members["collection.anki21"]
    if "collection.anki21b" in members:
        raise ImportFailed(
            "This package uses Anki's newest collection format (collection.anki21b, zstd-compressed), "
            "which is not supported. In Anki, export again with “Support older Anki versions” ticked."
        )
    if "collection.anki2" in members:
        return members["collection.anki2"]
    raise ImportFailed(
        "This is not an Anki package: the archive holds no collection.anki2 or collection.anki21."
    )


def _load(path: Path) -> tuple[dict[str, Any], list[tuple[int, int, str, str]], str]:
    """Models, notes (id, model id, fields, tags) and the first deck's name of a collection."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        models_json, decks_json = connection.execute("SELECT models, decks FROM col").fetchone()
        notes = connection.execute("SELECT id, mid, flds, tags FROM notes ORDER BY id").fetchall()
    finally:
        connection.close()
    models = json.loads(models_json)
    decks = json.loads(decks_json)
    if not isinstance(models, dict) or not isinstance(decks, dict):
        raise ImportFailed("The collection's note types or decks are not readable.")
    names = [d.get("name", "") for key, d in decks.items() if isinstance(d, dict) and key != "1"]
    return models, [(int(a), int(b), str(c), str(d)) for a, b, c, d in notes], (names[0] if names else "")


def _field_names(model: dict[str, Any]) -> list[str]:
    return [str(f.get("name", "")) for f in model.get("flds", []) if isinstance(f, dict)]


def _markdown(html: str, where: str, report: list[ReportLine]) -> str:
    html, stripped = strip_controls(html)
    if stripped:
        report.append(ReportLine(None, "changed", f"{where}: control characters removed."))
    converted = html_to_markdown(html)
    for name in converted.media:
        report.append(ReportLine(None, "dropped", f"{where}: media {name!r} is referenced but not imported."))
    return converted.text


def _escape_cloze_pipes(text: str) -> str:
    """Anki has no alternatives: a `|` inside a deletion is literal in Unroll too."""
    return _CLOZE_MARK.sub(lambda m: re.sub(r"(?<!\\)\|", r"\\|", m.group(0)), text)


def _cloze(
    fields: dict[str, str], names: list[str], where: str, report: list[ReportLine]
) -> ImportedQuestion | None:
    text_name = "Text" if "Text" in fields else names[0]
    text = _escape_cloze_pipes(_markdown(fields.get(text_name, ""), where, report))
    if not _CLOZE_MARK.search(text):
        report.append(
            ReportLine(None, "dropped", f"{where}: a Cloze note without any {{{{c1::…}}}} deletion.")
        )
        return None
    extra_name = next((n for n in ("Back Extra", "Extra") if n in fields), None)
    extra = _markdown(fields.get(extra_name, ""), where, report) if extra_name else ""
    _report_other_fields(fields, {text_name, extra_name or ""}, where, report)
    return ImportedQuestion(type="cloze", text=text, explanation=extra)


def _report_other_fields(
    fields: dict[str, str], used: set[str], where: str, report: list[ReportLine]
) -> None:
    for name, value in fields.items():
        if name not in used and value.strip():
            report.append(ReportLine(None, "dropped", f"{where}: field {name!r} is not imported."))


def _unroll_choice(front: str, back: str) -> tuple[str, list[tuple[str, bool]]] | None:
    """Options of a choice card exported by Unroll itself (front lists them, back the right ones)."""
    match = _UNROLL_CHOICE.search(front)
    if match is None:
        return None
    items = re.findall(r'<li value="(\d+)">(.*?)</li>', front[match.end() :], re.S)
    right = {number for number, _ in re.findall(r'<li value="(\d+)">(.*?)</li>', back, re.S)}
    if not items or not right:
        return None
    return front[: match.start()], [(html, number in right) for number, html in items]


def _basic(
    fields: dict[str, str], names: list[str], where: str, report: list[ReportLine]
) -> ImportedQuestion | None:
    front_name = "Front" if "Front" in fields else names[0]
    back_name = "Back" if "Back" in fields else (names[1] if len(names) > 1 else "")
    front, back = fields.get(front_name, ""), fields.get(back_name, "")
    _report_other_fields(fields, {front_name, back_name}, where, report)
    choice = _unroll_choice(front, back)
    if choice is not None:
        stem, options = choice
        opts = tuple(ImportedOption(_markdown(html, where, report), right) for html, right in options)
        explanation = _markdown(re.sub(r"(?s).*</ol>", "", back, count=1), where, report)
        return ImportedQuestion(
            type="choice", text=_markdown(stem, where, report), options=opts, explanation=explanation
        )
    question = _markdown(front, where, report)
    answer = _markdown(back, where, report)
    if not question:
        report.append(ReportLine(None, "dropped", f"{where}: the front is empty."))
        return None
    if not answer:
        report.append(
            ReportLine(None, "dropped", f"{where}: the back is empty, so the question has no answer.")
        )
        return None
    if question.endswith("*True or false?*") and answer.split("\n")[0] in ("True", "False"):
        first, _, rest = answer.partition("\n")
        return ImportedQuestion(
            type="true-false",
            text=question.removesuffix("*True or false?*").strip(),
            answer=first,
            explanation=rest.strip(),
        )
    accepted = re.search(r"(?m)^Also accepted: (.*)$", answer)
    if accepted:
        main = answer[: accepted.start()].strip()
        rest = answer[accepted.end() :].strip()
        accept = tuple(a.strip() for a in accepted.group(1).split(";") if a.strip())
        return ImportedQuestion(type="short", text=question, answer=main, accept=accept, explanation=rest)
    return ImportedQuestion(type="open", text=question, answer=answer)


def _note_question(
    note: tuple[int, int, str, str], number: int, models: dict[str, Any], report: list[ReportLine]
) -> ImportedQuestion | None:
    _, mid, flds, _ = note
    where = f"note {number}"
    model = models.get(str(mid))
    if not isinstance(model, dict):
        report.append(ReportLine(None, "dropped", f"{where}: its note type is missing from the collection."))
        return None
    names = _field_names(model)
    values = flds.split("\x1f")
    fields = dict(zip(names, values, strict=False))
    name = str(model.get("name", "?"))
    if model.get("type") == _CLOZE and names:
        return _cloze(fields, names, where, report)
    if model.get("type") == _BASIC and ({"Front", "Back"} <= set(names) or name.startswith("Unroll basic")):
        return _basic(fields, names, where, report)
    report.append(ReportLine(None, "dropped", f"{where}: note type {name!r} is neither Basic nor Cloze."))
    return None


def _title(filename: str, deck: str) -> str:
    if deck:
        return deck.split("::")[-1].strip() or deck
    return Path(filename).stem or "Imported Anki deck"


def convert(data: bytes, filename: str, answers: bytes | None = None) -> ImportResult:
    """The Basic and Cloze notes of an Anki package as a native set, with a report of the rest."""
    if len(data) > MAX_PACKAGE:
        raise ImportFailed(f"The package is larger than {MAX_PACKAGE // (1024 * 1024)} MB.")
    report: list[ReportLine] = []
    if answers is not None:
        report.append(
            ReportLine(None, "dropped", "An Anki package holds its own answers; the answers file is ignored.")
        )
    try:
        with (
            zipfile.ZipFile(io.BytesIO(data)) as archive,
            tempfile.TemporaryDirectory(prefix="unroll-apkg-") as folder,
        ):
            target = Path(folder) / "collection.sqlite"
            _read_member(archive, _collection_member(archive), target)
            models, notes, deck = _load(target)
    except ImportFailed:
        raise
    except (
        zipfile.BadZipFile,
        zlib.error,
        lzma.LZMAError,
        sqlite3.Error,
        OSError,
        EOFError,
        NotImplementedError,  # zipfile's answer to a compression method it cannot read
        RuntimeError,
    ) as error:
        raise ImportFailed(f"This is not a readable Anki package: {error}") from error
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        raise ImportFailed(f"The Anki collection is not readable: {error}") from error
    questions = []
    for number, note in enumerate(notes, 1):
        try:
            question = _note_question(note, number, models, report)
        except (ValueError, TypeError, AttributeError) as error:
            report.append(ReportLine(None, "dropped", f"note {number}: not readable ({error})."))
            continue
        if question is not None:
            questions.append(question)
    tagged = sum(1 for note in notes if note[3].strip())
    if tagged:
        report.append(ReportLine(None, "dropped", f"the tags of {tagged} note(s) are not imported."))
    if not notes:
        report.append(ReportLine(None, "dropped", "The package holds no notes."))
    return build_set(_title(filename, deck), questions, report)
