"""Batching arrays for training: DataLoader (being written; see issue 4)."""
