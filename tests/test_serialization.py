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


def test_a_checkpoint_loads_back_as_it_was_saved(tmp_path):
    """torch.save's habit: model and optimizer state, epoch and notes in one file, and
    training resumes from it exactly where it stopped."""
    def make():
        model = nn.Sequential(nn.Linear(3, 4, rng=0), nn.Tanh(), nn.Linear(4, 1, rng=1))
        return model, mg.optim.Adam(model.parameters(), lr=0.05, betas=(0.8, 0.99))

    def train(model, optimizer, steps):
        for k in range(steps):
            x = mg.randn(8, 3, rng=k)
            loss = (model(x) ** 2).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

    model, optimizer = make()
    train(model, optimizer, 3)
    checkpoint = {"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                  "epoch": 3, "best": float("inf"), "note": "adam run", "last": None,
                  "scale": np.float32(0.5)}
    mg.save(checkpoint, tmp_path / "checkpoint.npz")
    loaded = mg.load(tmp_path / "checkpoint.npz")
    assert list(loaded) == list(checkpoint)
    assert (loaded["epoch"], loaded["best"], loaded["note"], loaded["last"]) == (3, np.inf, "adam run", None)
    assert loaded["scale"].dtype == np.float32 and loaded["scale"] == 0.5
    saved_optimizer = loaded["optimizer"]
    assert list(saved_optimizer["state"]) == [0, 1, 2, 3]  # integer keys stay integers
    assert saved_optimizer["param_groups"][0]["betas"] == (0.8, 0.99)  # tuples stay tuples
    np.testing.assert_array_equal(saved_optimizer["state"][2]["exp_avg"],
                                  checkpoint["optimizer"]["state"][2]["exp_avg"])

    resumed, resumed_optimizer = make()
    resumed.load_state_dict(loaded["model"])
    resumed_optimizer.load_state_dict(loaded["optimizer"])
    train(model, optimizer, 2)
    train(resumed, resumed_optimizer, 2)
    for a, b in zip(model.parameters(), resumed.parameters()):
        np.testing.assert_array_equal(a.data, b.data)


def test_a_checkpoint_names_its_arrays_by_path(tmp_path):
    path = tmp_path / "nested.npz"
    mg.save({"model": nn.Linear(2, 1, rng=0).state_dict(), "history": [np.ones(2), 0.5]}, path)
    with np.load(path) as archive:  # plain NumPy sees the arrays, named by where they sit
        assert {"model.weight", "model.bias", "history.0"} <= set(archive.files)
    with pytest.raises(ValueError, match="both named 'a.b'"):
        mg.save({"a": {"b": np.ones(1)}, "a.b": np.ones(1)}, tmp_path / "clash.npz")


def test_numbers_are_saved_as_zero_dimensional_arrays(tmp_path):
    mg.save({"lr": 0.5, "epoch": np.int32(7)}, tmp_path / "n.npz")
    loaded = mg.load(tmp_path / "n.npz")
    assert loaded["lr"].shape == () and loaded["lr"].item() == 0.5
    assert loaded["epoch"].dtype == np.int32


@pytest.mark.parametrize("value, message", [
    ({1, 2}, "'x' is a set"),
    ([1.0, object()], "'x.1' is a object"),
    (np.array([{}], dtype=object), "'x' is an object array"),
])
def test_values_only_pickle_could_store_are_refused(tmp_path, value, message):
    with pytest.raises(TypeError, match=message):
        mg.save({"x": value}, tmp_path / "bad.npz")
    assert not (tmp_path / "bad.npz").exists()


def test_bad_state_and_keys_are_refused(tmp_path):
    with pytest.raises(TypeError, match="expects a dict"):
        mg.save([np.ones(2)], tmp_path / "a.npz")
    with pytest.raises(TypeError, match=r"keys must be strings or integers, got \(1, 2\)"):
        mg.save({(1, 2): np.ones(2)}, tmp_path / "a.npz")


def test_load_never_unpickles(tmp_path):
    path = tmp_path / "pickled.npz"
    np.savez(path, x=np.array([{"a": 1}], dtype=object))  # a file mg.save would never write
    with pytest.raises(ValueError, match="allow_pickle"):
        mg.load(path)
