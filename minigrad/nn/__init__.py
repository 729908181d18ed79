"""Neural networks: layers as Modules, and losses as functions (`mg.nn.functional`, `mg.nn.F`)."""
from minigrad.nn import functional, init, utils
from minigrad.nn.module import Module, Parameter
from minigrad.nn.activation import (ELU, GELU, Hardtanh, LeakyReLU, LogSoftmax, ReLU, ReLU6,
                                    Sigmoid, SiLU, Softmax, Softplus, Tanh)
from minigrad.nn.containers import ModuleDict, ModuleList, Sequential
from minigrad.nn.dropout import Dropout
from minigrad.nn.embedding import Embedding
from minigrad.nn.linear import Flatten, Identity, Linear, Unflatten
from minigrad.nn.losses import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss,
                                KLDivLoss, L1Loss, MSELoss, NLLLoss, SmoothL1Loss)
from minigrad.nn.conv import Conv2d
from minigrad.nn.conv_transpose import ConvTranspose2d
from minigrad.nn.pooling import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d
from minigrad.nn.normalization import BatchNorm1d, BatchNorm2d, GroupNorm, LayerNorm
from minigrad.nn.attention import MultiheadAttention
from minigrad.nn.recurrent import GRU, GRUCell, LSTM, LSTMCell, RNN, RNNCell

F = functional

__all__ = [
    "functional", "init", "Module", "Parameter", "GELU", "LeakyReLU", "LogSoftmax", "ReLU",
    "Sigmoid", "Softmax", "Tanh", "ModuleDict", "ModuleList", "Sequential", "Dropout",
    "Embedding", "Flatten", "Identity", "Linear", "BCEWithLogitsLoss", "CrossEntropyLoss",
    "MSELoss", "NLLLoss", "Conv2d", "ConvTranspose2d", "AvgPool2d", "MaxPool2d",
    "BatchNorm1d", "BatchNorm2d", "LayerNorm", "RNN", "LSTM", "GRU", "RNNCell", "LSTMCell",
    "GRUCell", "ELU", "Hardtanh", "ReLU6", "SiLU", "BCELoss", "HuberLoss", "KLDivLoss",
    "L1Loss", "SmoothL1Loss", "MultiheadAttention", "Unflatten", "AdaptiveAvgPool2d",
    "GroupNorm", "Softplus", "F",
]
