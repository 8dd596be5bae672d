"""Gathering the training text, and `flask rnn train`."""

from __future__ import annotations

from pathlib import Path

from app import create_app
from app.cli_rnn import rnn_cli
from app.rnn import load_model
from app.services.rnn_models import build_corpus, plain_text, training_texts
from tests.conftest import app_config

SET = """+++
title = "Tiny"
slug = "tiny"
weight = 1
dialect = "native"
+++

## Preview

1. What is a state?

## Explain

The **hidden state** is $h_t = \\tanh(W x_t)$ a summary. See [the demo](/demo?text=a).

$$
h_t = f(h_{t-1})
$$

| a | b |
| --- | --- |

## Keypoint

1. A state carries `memory` forward.

## Review

1. A cell reads the {{c1::current input}} and the previous state.
   ID: tiny-cloze
"""


def test_plain_text_keeps_prose_and_drops_maths_code_tables_and_markup() -> None:
    text = plain_text("The **state** $h_t$ is [shown here](/demo).\n\n$$x$$\n\n| a |\n\n`code` ok")
    assert text.split() == ["The", "state", "is", "shown", "here.", "ok"]
    assert plain_text("the {{c1::current input::hint}} word").split() == ["the", "current", "input", "word"]


def test_training_text_is_every_sets_explain_keypoint_and_review_then_the_rnn_corpus(tmp_path: Path) -> None:
    (tmp_path / "01-tiny.md").write_text(SET)
    (tmp_path / "rnn").mkdir()
    (tmp_path / "rnn" / "b.txt").write_text("Second story.")
    (tmp_path / "rnn" / "a.txt").write_text("First story.")
    texts = training_texts(tmp_path)
    joined = " ".join(texts)
    assert "hidden state" in joined and "a summary" in joined and "tanh" not in joined and "|" not in joined
    assert "A state carries forward." in texts
    assert "A cell reads the current input and the previous state." in texts
    assert "What is a state" not in joined  # Preview questions are not training text
    assert texts[-2:] == ["First story.", "Second story."]


def test_flask_rnn_train_prints_perplexities_and_saves_weights(tmp_path: Path) -> None:
    content = tmp_path / "content"
    (content / "rnn").mkdir(parents=True)
    story = "the cat sat on the mat . the dog sat on the rug . the cat saw the dog . "
    (content / "rnn" / "story.txt").write_text(story * 55)  # 1,100 tokens: block 9 is held out
    app = create_app(app_config(f"sqlite:///{tmp_path / 'db.sqlite3'}", content))
    app.cli.add_command(rnn_cli)
    out = tmp_path / "weights"
    result = app.test_cli_runner().invoke(
        args=["rnn", "train", "--cell", "gru", "--steps", "12", "--seed", "3", "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "held-out" in result.output and "unigram baseline" in result.output
    model = load_model(out / "gru.npz")
    assert (model.cell_name, model.seed, model.steps) == ("gru", 3, 12)
    assert set(model.perplexities) == {"train", "held_out", "unigram"}
    assert len(model.vocab) == len(build_corpus(content).vocab)


def test_flask_rnn_train_refuses_an_empty_content_folder(tmp_path: Path) -> None:
    app = create_app(app_config(f"sqlite:///{tmp_path / 'db.sqlite3'}", tmp_path))
    app.cli.add_command(rnn_cli)
    result = app.test_cli_runner().invoke(args=["rnn", "train", "--output", str(tmp_path / "w")])
    assert result.exit_code != 0 and "at least 1,000 tokens" in result.output
