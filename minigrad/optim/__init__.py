"""Optimizers (SGD, Adam, AdamW, RMSprop), each updating parameters in place from their
`.grad`, and learning-rate schedules (`mg.optim.lr_scheduler`)."""
from minigrad.optim import lr_scheduler
from minigrad.optim.optimizer import Optimizer
from minigrad.optim.sgd import SGD
from minigrad.optim.adam import Adam, AdamW
from minigrad.optim.rmsprop import RMSprop

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "lr_scheduler"]
