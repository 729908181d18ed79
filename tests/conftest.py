"""Shared test settings: hypothesis is seeded and has no deadline (CI machines vary)."""
import numpy as np
import pytest
from hypothesis import settings

settings.register_profile("minigrad", deadline=None, derandomize=True, max_examples=25,
                          print_blob=True)
settings.load_profile("minigrad")


@pytest.fixture
def rng():
    return np.random.default_rng(0)
