"""Neural networks: layers as Modules, and losses as functions (`mg.nn.functional`, `mg.nn.F`)."""
from minigrad.nn import functional, init, utils
from minigrad.nn.module import Module, Parameter
from minigrad.nn.activation import GELU, ReLU, Sigmoid, Tanh
from minigrad.nn.containers import Sequential
from minigrad.nn.dropout import Dropout
from minigrad.nn.embedding import Embedding
from minigrad.nn.linear import Flatten, Linear
from minigrad.nn.losses import BCEWithLogitsLoss, CrossEntropyLoss, MSELoss
from minigrad.nn.conv import Conv2d
from minigrad.nn.pooling import MaxPool2d
from minigrad.nn.normalization import BatchNorm1d, LayerNorm

F = functional
