"""mg.save / mg.load: .npz round trips, flattening, and refusing anything pickle would need."""
import numpy as np
import pytest

import minigrad as mg
from minigrad import nn


def test_round_trip_keeps_names_order_dtypes_shapes_and_values(tmp_path):
    state = {
        "layer.weight": np.arange(6, dtype=np.float32).reshape(2, 3) / 7,
        "layer.bias": mg.tensor([0.1, -0.2]),
        "count": np.array(5, dtype=np.int64),
        "mask": np.array([True, False]),
        "file": np.zeros((0, 3)),  # a name np.savez would take as its own argument
    }
    path = tmp_path / "state.npz"
    mg.save(state, path)
    loaded = mg.load(path)
    assert list(loaded) == list(state)
    for name, value in state.items():
        expected = np.asarray(value)
        assert isinstance(loaded[name], np.ndarray)
        assert loaded[name].dtype == expected.dtype and loaded[name].shape == expected.shape
        np.testing.assert_array_equal(loaded[name], expected)


def test_model_round_trip_through_a_file(tmp_path):
    source = nn.Sequential(nn.Linear(3, 4, rng=0), nn.GELU(), nn.Linear(4, 2, rng=1))
    target = nn.Sequential(nn.Linear(3, 4, rng=2), nn.GELU(), nn.Linear(4, 2, rng=3))
    mg.save(source.state_dict(), str(tmp_path / "model.npz"))
    target.load_state_dict(mg.load(str(tmp_path / "model.npz")))
    x = mg.randn(5, 3, rng=4)
    np.testing.assert_array_equal(source(x).data, target(x).data)


def test_nested_dicts_flatten_to_dotted_names(tmp_path):
    path = tmp_path / "nested.npz"
    mg.save({"model": nn.Linear(2, 1, rng=0).state_dict(), "step": np.array(3)}, path)
    assert list(mg.load(path)) == ["model.weight", "model.bias", "step"]
    with pytest.raises(ValueError, match="same name 'a.b'"):
        mg.save({"a": {"b": np.ones(1)}, "a.b": np.ones(1)}, tmp_path / "clash.npz")


def test_numbers_are_saved_as_zero_dimensional_arrays(tmp_path):
    mg.save({"lr": 0.5, "epoch": np.int32(7)}, tmp_path / "n.npz")
    loaded = mg.load(tmp_path / "n.npz")
    assert loaded["lr"].shape == () and loaded["lr"].item() == 0.5
    assert loaded["epoch"].dtype == np.int32


@pytest.mark.parametrize("value, message", [
    ("text", "'x' is a str"),
    ([1.0, 2.0], "'x' is a list"),
    (np.array([{}], dtype=object), "'x' is an object array"),
])
def test_non_array_values_are_refused(tmp_path, value, message):
    with pytest.raises(TypeError, match=message):
        mg.save({"x": value}, tmp_path / "bad.npz")
    assert not (tmp_path / "bad.npz").exists()


def test_bad_state_and_keys_are_refused(tmp_path):
    with pytest.raises(TypeError, match="expects a dict"):
        mg.save([np.ones(2)], tmp_path / "a.npz")
    with pytest.raises(TypeError, match="keys must be strings"):
        mg.save({1: np.ones(2)}, tmp_path / "a.npz")


def test_load_never_unpickles(tmp_path):
    path = tmp_path / "pickled.npz"
    np.savez(path, x=np.array([{"a": 1}], dtype=object))  # a file mg.save would never write
    with pytest.raises(ValueError, match="allow_pickle"):
        mg.load(path)
