"""Neural networks: layers as Modules, and losses as functions (`mg.nn.functional`, `mg.nn.F`)."""
from minigrad.nn import functional

F = functional
