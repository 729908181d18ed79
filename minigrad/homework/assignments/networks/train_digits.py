"""Task 4.4: a classifier for the bundled handwritten digits, trained with your layers.

The grader calls `train` on 80% of the 1,797 digits (a split you do not know) and scores
the model you return on the other 20%: 95% of them must be right. It runs with the
reference Linear, SGD and Adam, so this task does not depend on the others.
"""
import minigrad as mg


def train(X, y, rng):
    """Fit a model to the digits.

    Args:
        X: (N, 64) float64 images, pixel values scaled to [0, 1].
        y: (N,) int64 labels in 0..9.
        rng: a np.random.Generator: draw all randomness from it (initialisation,
            shuffling), so that a run can be repeated.

    Returns:
        An `mg.nn.Module` mapping a (M, 64) tensor of images to (M, 10) class scores.
    """
    model = mg.nn.Sequential(mg.nn.Linear(64, 128, rng=rng), mg.nn.ReLU(),
                             mg.nn.Linear(128, 10, rng=rng))
    optimizer = mg.optim.Adam(model.parameters(), lr=2e-3)
    for _ in range(15):
        for xb, yb in mg.data.DataLoader(X, y, batch_size=32, shuffle=True, rng=rng):
            optimizer.zero_grad()
            mg.nn.F.cross_entropy(model(xb), yb).backward()
            optimizer.step()
    return model


if __name__ == "__main__":
    import numpy as np

    images, labels = mg.datasets.load_digits()
    order = np.random.default_rng(0).permutation(len(labels))
    train_rows, test_rows = order[:1437], order[1437:]
    model = train(images[train_rows] / 16.0, labels[train_rows], np.random.default_rng(1))
    with mg.no_grad():
        scores = model(mg.tensor(images[test_rows] / 16.0)).data
    print(f"test accuracy: {np.mean(scores.argmax(axis=1) == labels[test_rows]):.1%}")
