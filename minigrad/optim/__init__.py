"""Optimizers: SGD, Adam, AdamW (being written; see issue 4)."""
