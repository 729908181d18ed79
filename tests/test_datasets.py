"""mg.datasets: the bundled digits (shape, dtype, class counts, content) and the synthetic sets."""
import gzip
import os

import numpy as np
import pytest

import minigrad as mg

SHARED_CSV = "/work/shared/data/digits.csv.gz"
PACKAGE_DIR = os.path.dirname(mg.datasets.__file__)


def test_digits_shapes_dtypes_and_class_counts():
    X, y = mg.datasets.load_digits()
    assert X.shape == (1797, 64) and X.dtype == mg.get_default_dtype()
    assert y.shape == (1797,) and y.dtype == np.int64
    assert np.bincount(y).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    assert X.min() == 0.0 and X.max() == 16.0
    np.testing.assert_array_equal(X, np.round(X))        # pixel counts, as in the source
    assert y[:10].tolist() == list(range(10))


def test_digits_as_images_and_in_another_dtype():
    X, _ = mg.datasets.load_digits()
    images, y = mg.datasets.load_digits(images=True, dtype=np.float32)
    assert images.shape == (1797, 1, 8, 8) and images.dtype == np.float32
    np.testing.assert_array_equal(images.reshape(1797, 64), X)   # row-major 8x8


def test_digits_are_fresh_arrays_every_call():
    X, y = mg.datasets.load_digits()
    X[:] = -1.0
    y[:] = -1
    X2, y2 = mg.datasets.load_digits()
    assert X2.min() == 0.0 and y2.min() == 0


def test_digits_first_image_is_a_zero():
    X, y = mg.datasets.load_digits(images=True)
    zero = X[0, 0]
    assert y[0] == 0
    assert zero[3:5, 3:5].mean() < 2 < zero[:, 1:3].mean()   # a hole in the middle, ink around


def test_bundled_file_is_small_and_has_its_notice():
    assert os.path.getsize(os.path.join(PACKAGE_DIR, "digits.npz")) < 60_000
    with open(os.path.join(PACKAGE_DIR, "NOTICE")) as file:
        notice = file.read()
    for credit in ("Alpaydin", "Kaynak", "10.24432/C50P49", "CC BY 4.0", "scikit-learn"):
        assert credit in notice


@pytest.mark.skipif(not os.path.exists(SHARED_CSV), reason="the source CSV is not on this machine")
def test_digits_match_the_source_csv():
    raw = np.loadtxt(gzip.open(SHARED_CSV), delimiter=",", dtype=np.int64)
    X, y = mg.datasets.load_digits()
    np.testing.assert_array_equal(X, raw[:, :64])
    np.testing.assert_array_equal(y, raw[:, 64])


@pytest.mark.parametrize("n", [2, 7, 200])
def test_moons_geometry_without_noise(n):
    X, y = mg.datasets.make_moons(n, noise=0.0, rng=0)
    assert X.shape == (n, 2) and X.dtype == mg.get_default_dtype() and y.dtype == np.int64
    assert np.bincount(y, minlength=2).tolist() == [n // 2, n - n // 2]
    upper, lower = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0)
    assert (upper[:, 1] >= -1e-12).all()
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0)
    assert (lower[:, 1] <= 0.5 + 1e-12).all()


def test_spirals_geometry_without_noise():
    X, y = mg.datasets.make_spirals(301, n_classes=3, noise=0.0, rng=0)
    assert np.bincount(y).tolist() == [101, 100, 100]
    r = np.hypot(*X.T)
    assert r.max() == pytest.approx(1.0) and r.min() == pytest.approx(0.0)
    for k in range(3):   # theta = 2 pi k / 3 + 2 pi r, checked as a point on the unit circle
        arm, radius = X[y == k], r[y == k]
        theta = 2 * np.pi * k / 3 + 2 * np.pi * radius
        np.testing.assert_allclose(arm, radius[:, None] * np.stack(
            [np.cos(theta), np.sin(theta)], axis=1), atol=1e-12)


@pytest.mark.parametrize("make", [mg.datasets.make_moons, mg.datasets.make_spirals])
def test_synthetic_sets_are_seeded_shuffled_and_noisy(make):
    X1, y1 = make(rng=3)
    X2, y2 = make(rng=np.random.default_rng(3))
    X3, _ = make(rng=4)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)
    assert (np.diff(y1) != 0).sum() > len(y1) // 4     # classes interleaved, not in blocks
    clean, _ = make(noise=0.0, rng=3)
    assert not np.allclose(np.sort(X1, axis=0), np.sort(clean, axis=0))


def test_synthetic_sets_take_the_default_dtype():
    mg.set_default_dtype(np.float32)
    try:
        assert mg.datasets.make_moons(rng=0)[0].dtype == np.float32
        assert mg.datasets.load_digits()[0].dtype == np.float32
    finally:
        mg.set_default_dtype(np.float64)


@pytest.mark.parametrize("call, match", [
    (lambda: mg.datasets.make_moons(1), "n_samples must be an integer >= 2"),
    (lambda: mg.datasets.make_moons(10, noise=-0.1), "noise"),
    (lambda: mg.datasets.make_spirals(2, n_classes=3), "n_samples must be an integer >= 3"),
    (lambda: mg.datasets.make_spirals(10, n_classes=1), "n_classes"),
    (lambda: mg.datasets.make_spirals(10.0), "n_samples"),
])
def test_synthetic_bad_arguments_raise(call, match):
    with pytest.raises(ValueError, match=match):
        call()
