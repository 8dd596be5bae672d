"""`flask rnn train`: retrain a demo language model on Unroll's own text and ship its weights."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app.rnn import CELLS
from app.services import rnn_models

rnn_cli = AppGroup("rnn", help="The live demo's recurrent language models.")


@rnn_cli.command("train")
@click.option("--cell", type=click.Choice(sorted(CELLS)), default="vanilla", show_default=True)
@click.option(
    "--steps",
    type=click.IntRange(min=1),
    default=None,
    help=f"Training steps [default: {rnn_models.STEPS}; lstm {rnn_models.CELL_STEPS['lstm']}].",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Fixes the initial weights and batches.")
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for the weights [default: app/rnn/weights].",
)
def train_command(cell: str, steps: int | None, seed: int, output: Path | None) -> None:
    """Train on content/ (Explain, Keypoint, Review) and content/rnn/*.txt; print perplexities; save."""
    corpus = rnn_models.build_corpus(Path(current_app.config["UNROLL_CONTENT_DIR"]))
    train_size, held_out_size = corpus.sizes
    if train_size <= rnn_models.SEQ_LEN or held_out_size < 2:
        raise click.ClickException(
            f"only {train_size + held_out_size} tokens of text: one block of 100 in ten is held out, "
            "so at least 1,000 tokens are needed"
        )
    click.echo(
        f"{train_size} training tokens, {held_out_size} held out, vocabulary of {len(corpus.vocab)} words"
    )
    steps = rnn_models.CELL_STEPS.get(cell, rnn_models.STEPS) if steps is None else steps
    with click.progressbar(length=steps, label=f"Training the {cell} model") as bar:
        report = rnn_models.train_model(corpus, cell, steps, seed, lambda step, loss: bar.update(1))
    ppl = report.perplexities
    click.echo(
        f"Perplexity: training {ppl['train']:.1f}, held-out {ppl['held_out']:.1f}, "
        f"unigram baseline {ppl['unigram']:.1f} (lower is better)."
    )
    if ppl["held_out"] >= ppl["unigram"]:
        click.echo("Warning: the held-out perplexity does not beat the unigram baseline.", err=True)
    path = rnn_models.save_weights(report.model, output or rnn_models.WEIGHTS_DIR)
    click.echo(
        f"Saved {path} ({path.stat().st_size / 1024:.0f} KB, {report.history.seconds:.1f} s of training)."
    )
