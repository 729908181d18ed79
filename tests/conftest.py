"""Shared test settings: hypothesis is seeded and has no deadline (CI machines vary); the
engine tests run on both engines through one fixture."""
import numpy as np
import pytest
from hypothesis import settings

import minigrad as mg

#: The engines every engine test runs on (reference.py and the fast backward.py).
ENGINES = ("fast", "reference")

settings.register_profile("minigrad", deadline=None, derandomize=True, max_examples=25,
                          print_blob=True)
settings.load_profile("minigrad")


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.fixture(params=ENGINES)
def each_engine(request):
    """Run the test once per engine, so the reference engine cannot rot. A module opts in
    with `pytestmark = pytest.mark.usefixtures("each_engine")`."""
    with mg.use_engine(request.param):
        yield request.param
