"""examples/softmax_collapse.py: its conclusions follow the measurements, whatever they are."""
import os
import runpy
import types

import numpy as np
import pytest

SCRIPT = os.path.join(os.path.dirname(__file__), os.pardir, "examples", "softmax_collapse.py")


@pytest.fixture(scope="module")
def example():
    """The script's functions (run as a module, not as __main__, so nothing is measured yet)."""
    return types.SimpleNamespace(**runpy.run_path(SCRIPT))


def test_the_collapse_and_stability_sections_measure_and_conclude(example, capsys):
    differences = example.show_collapse()
    measured = example.show_stability()
    out = capsys.readouterr().out
    assert max(differences.values()) < 1e-15
    assert "all three equal to rounding" in out
    assert measured["loss change"] < 1e-12 and measured["gradient change"] < 1e-12
    assert measured["naive finite"] is False and measured["extreme finite"] is True
    assert "shift invariant to rounding." in out and "overflowed" in out


def test_a_difference_above_rounding_is_reported_by_name(example):
    assert example.conclude_equal({"a - b": 1e-16}, "equal") == "equal to rounding (below 1e-12)"
    assert example.conclude_equal({"a - b": 1e-16, "c - b": 0.25}, "equal") == \
        "NOT equal: c - b differs by 0.25"
    assert example.conclude_equal({"a - b": float("nan")}, "equal") == "NOT equal: a - b differs by nan"


def test_stability_conclusions_change_with_the_measurements(example):
    good = {"loss change": 0.0, "gradient change": 1e-17, "naive finite": False, "extreme finite": True}
    bad = {"loss change": 0.5, "gradient change": 0.0, "naive finite": True, "extreme finite": False}
    good_lines, bad_lines = example.conclude_stability(good), example.conclude_stability(bad)
    assert good_lines[0].endswith("shift invariant to rounding.") and "overflowed" in good_lines[1]
    assert bad_lines[0].endswith("NOT shift invariant.") and "stayed finite" in bad_lines[1]
    assert "non-finite" in bad_lines[2] and "finite losses" in good_lines[2]


@pytest.mark.parametrize("k, words", [(1.05, "about linearly"), (1.95, "about quadratically"),
                                      (0.4, "slower than linearly"), (1.45, "between"),
                                      (2.6, "faster than quadratically")])
def test_growth_is_described_from_the_exponent(example, k, words):
    assert example.describe_growth(k).startswith(words)


def test_cost_conclusions_are_computed_from_the_times(example):
    sizes = (10, 100, 1000)
    linear, quadratic = np.array([1e-4, 1e-3, 1e-2]), np.array([1e-5, 1e-3, 1e-1])
    lines = example.conclude_cost(sizes, {"fused node": linear, "dense Jacobian": quadratic})
    assert "fused node      k = 1.00: grows about linearly" in lines[1]
    assert "dense Jacobian  k = 2.00: grows about quadratically" in lines[2]
    assert lines[3] == "fastest to slowest at C = 1000: fused node < dense Jacobian (the order changes with C)"
    assert lines[4] == "at C = 1000, the dense Jacobian takes 10x as long as the fused node"
    # Had the dense product been the linear one, the conclusions would say so.
    swapped = example.conclude_cost(sizes, {"fused node": quadratic * 100, "dense Jacobian": linear * 100})
    assert "fused node      k = 2.00: grows about quadratically" in swapped[1]
    assert swapped[3] == "fastest to slowest at C = 1000: dense Jacobian < fused node (the order changes with C)"
    same_order = example.conclude_cost(sizes, {"fused node": linear, "dense Jacobian": linear * 3})
    assert same_order[3] == "fastest to slowest at every C: fused node < dense Jacobian"


def test_loading_the_script_leaves_numpys_print_options_alone():
    before = np.get_printoptions()
    runpy.run_path(SCRIPT)
    assert np.get_printoptions() == before
