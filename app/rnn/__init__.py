"""Pure NumPy recurrent language models: vocabulary, cells, forward, BPTT, Adam, sampling."""

from app.rnn.cells import Cell, Terms
from app.rnn.model import CELLS, LanguageModel, Prediction, StepDetail, load_model
from app.rnn.store import ModelFileError
from app.rnn.text import UNK, Corpus, PromptError, Vocabulary, corpus_from_texts, split_tokens, tokenize
from app.rnn.training import ModelConfig, TrainingHistory, perplexity, train, unigram_perplexity

__all__ = [
    "CELLS",
    "UNK",
    "Cell",
    "Corpus",
    "LanguageModel",
    "ModelConfig",
    "ModelFileError",
    "Prediction",
    "PromptError",
    "StepDetail",
    "Terms",
    "TrainingHistory",
    "Vocabulary",
    "corpus_from_texts",
    "load_model",
    "perplexity",
    "split_tokens",
    "tokenize",
    "train",
    "unigram_perplexity",
]
