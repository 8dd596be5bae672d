"""The .npz file format of a model: its weights, its vocabulary and a JSON metadata record."""

from __future__ import annotations

import json
import os
import zipfile
from typing import Any

import numpy as np

FORMAT = "unroll-rnn-1"
PARAM_PREFIX = "param/"
PathLike = str | os.PathLike[str]


class ModelFileError(ValueError):
    """A weights file that cannot be read as a model."""


def write_model_file(
    path: PathLike, params: dict[str, np.ndarray], words: list[str], meta: dict[str, Any]
) -> None:
    """Write compressed arrays; the vocabulary is one newline-separated string (tokens never hold one)."""
    arrays = {PARAM_PREFIX + name: value for name, value in params.items()}
    arrays["vocab"] = np.array("\n".join(words))
    arrays["meta"] = np.array(json.dumps({"format": FORMAT, **meta}, sort_keys=True))
    with open(path, "wb") as handle:
        np.savez_compressed(handle, **arrays)


def read_model_file(path: PathLike) -> tuple[dict[str, np.ndarray], list[str], dict[str, Any]]:
    """Weights by name, the vocabulary and the metadata; never unpickles anything."""
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            words = str(data["vocab"]).split("\n")
            params = {k[len(PARAM_PREFIX) :]: data[k] for k in data.files if k.startswith(PARAM_PREFIX)}
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise ModelFileError(f"{os.fspath(path)} is not a model file: {exc}") from exc
    if meta.get("format") != FORMAT:
        raise ModelFileError(f"{os.fspath(path)} has format {meta.get('format')!r}, expected {FORMAT!r}")
    return params, words, meta
