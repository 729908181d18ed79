"""Optimizers: SGD, Adam and AdamW, each updating parameters in place from their `.grad`."""
from minigrad.optim.optimizer import Optimizer
from minigrad.optim.sgd import SGD
from minigrad.optim.adam import Adam, AdamW

__all__ = ["Optimizer", "SGD", "Adam", "AdamW"]
