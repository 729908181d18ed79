"""Datasets: the bundled UCI handwritten digits, and synthetic 2-D sets made from a seed.

Each loader returns plain NumPy arrays `(X, y)`: X floating (the default dtype unless
told otherwise), y int64 class labels. Split, scale and batch them with NumPy and
`mg.data.DataLoader`.
"""
from minigrad.datasets.digits import load_digits
from minigrad.datasets.synthetic import make_moons, make_spirals

__all__ = ["load_digits", "make_moons", "make_spirals"]
