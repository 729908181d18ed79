"""Datasets: the bundled UCI digits and synthetic 2-D sets (being written; see issue 4)."""
