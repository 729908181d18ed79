"""Functional neural-network ops: softmax, log_softmax and the losses."""
from minigrad.ops import log_softmax, softmax

__all__ = ["softmax", "log_softmax"]
