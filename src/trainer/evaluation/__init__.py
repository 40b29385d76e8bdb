"""Evaluation of a tuned persona model: perplexity, style metrics, sample replies, plots."""
