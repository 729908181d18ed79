"""Train a classifier on the handwritten digits that ship with minigrad.

    python examples/train_digits.py                      # an MLP
    python examples/train_digits.py --model cnn          # a small convolutional network
    python examples/train_digits.py --optimizer sgd --lr 0.1 --epochs 40 --save digits.npz

The 1,797 8x8 images (mg.datasets.load_digits) are split 80/20 into training and test
sets, the same split on every run. Each epoch shows a progress bar with the running loss
(when tqdm is installed and the output is a terminal; plain lines otherwise), then the
epoch's training loss and test accuracy. At the end: the confusion matrix and the time.
"""
import argparse
import os
import sys
import time

# These matrices are small, so a multithreaded BLAS spends more time handing work between
# threads than it saves (the CNN ran 4x slower with 2 threads on a busy 2-core machine).
# Set before NumPy loads BLAS; an explicit setting in the environment still wins.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import numpy as np  # noqa: E402

import minigrad as mg  # noqa: E402
from minigrad import nn  # noqa: E402

SPLIT_SEED = 0        # fixes the train/test split; --seed changes initialisation and shuffling
TEST_FRACTION = 0.2
DEFAULTS = {          # per model: each reaches its target accuracy in well under a minute
    "mlp": dict(epochs=30, lr=2e-3, batch_size=32, optimizer="adam"),
    "cnn": dict(epochs=30, lr=3e-3, batch_size=32, optimizer="adam"),
}


def make_model(kind, rng):
    """The network: inputs are (N, 64) rows for the MLP, (N, 1, 8, 8) images for the CNN."""
    if kind == "mlp":
        return nn.Sequential(
            nn.Linear(64, 128, rng=rng), nn.ReLU(),
            nn.Linear(128, 10, rng=rng))
    if kind == "cnn":
        return nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1, rng=rng), nn.ReLU(), nn.MaxPool2d(2),   # 16 x 4 x 4
            nn.Conv2d(16, 32, 3, padding=1, rng=rng), nn.ReLU(), nn.MaxPool2d(2),  # 32 x 2 x 2
            nn.Flatten(),
            nn.Linear(32 * 2 * 2, 10, rng=rng))
    raise ValueError(f"unknown model {kind!r}; choose 'mlp' or 'cnn'")


def load_split(kind):
    """(X_train, y_train, X_test, y_test): pixels scaled from 0..16 to [0, 1]."""
    X, y = mg.datasets.load_digits(images=(kind == "cnn"))
    X = X / 16.0
    order = np.random.default_rng(SPLIT_SEED).permutation(len(y))
    n_test = round(TEST_FRACTION * len(y))
    test, train = order[:n_test], order[n_test:]
    return X[train], y[train], X[test], y[test]


def make_optimizer(name, params, lr):
    if name == "sgd":
        return mg.optim.SGD(params, lr=lr, momentum=0.9)
    if name == "adam":
        return mg.optim.Adam(params, lr=lr)
    raise ValueError(f"unknown optimizer {name!r}; choose 'sgd' or 'adam'")


def predict(model, X):
    """Class predictions, computed without recording anything for backward."""
    model.eval()
    with mg.no_grad():
        logits = model(mg.tensor(X))
    model.train()
    return logits.data.argmax(axis=1)


def confusion_matrix(y_true, y_pred, n_classes=10):
    """counts[i, j] = how many images of digit i were predicted as digit j."""
    counts = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(counts, (y_true, y_pred), 1)
    return counts


def progress_bar(batches, description, enabled):
    """tqdm's bar over `batches` if wanted and available, else the batches as they are."""
    if enabled:
        try:
            from tqdm import tqdm
        except ImportError:  # tqdm is optional: pip install "minigrad[progress]"
            return batches
        return tqdm(batches, desc=description, unit="batch", leave=False, file=sys.stderr)
    return batches


def train(model="mlp", epochs=None, lr=None, batch_size=None, optimizer=None, seed=0,
          save=None, progress=None, log=print):
    """Train one model on the digits; returns a dict with the model, accuracy and history.

    Options left as None take the model's DEFAULTS. `progress`: show tqdm bars (None: when
    stderr is a terminal). `log`: where the report lines go.
    """
    kind = model
    options = {**DEFAULTS[kind], **{k: v for k, v in dict(
        epochs=epochs, lr=lr, batch_size=batch_size, optimizer=optimizer).items() if v is not None}}
    if progress is None:
        progress = sys.stderr.isatty()
    rng = np.random.default_rng(seed)

    X_train, y_train, X_test, y_test = load_split(kind)
    model = make_model(kind, rng)
    opt = make_optimizer(options["optimizer"], model.parameters(), options["lr"])
    loader = mg.data.DataLoader(X_train, y_train, batch_size=options["batch_size"],
                                shuffle=True, rng=rng)
    n_params = sum(p.size for p in model.parameters())
    log(f"{kind}: {n_params:,} parameters; {len(y_train)} training and {len(y_test)} test "
        f"images; {options['optimizer']} lr={options['lr']}, batch {options['batch_size']}")

    start = time.perf_counter()
    history = []
    for epoch in range(1, options["epochs"] + 1):
        total, seen = 0.0, 0
        bar = progress_bar(loader, f"epoch {epoch:>2}/{options['epochs']}", progress)
        for xb, yb in bar:
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            total += loss.item() * len(yb)
            seen += len(yb)
            if bar is not loader:  # the bar redraws at its own pace, not every batch
                bar.set_postfix(loss=f"{total / seen:.4f}", refresh=False)
        accuracy = float(np.mean(predict(model, X_test) == y_test))
        history.append((total / seen, accuracy))
        log(f"epoch {epoch:>2}/{options['epochs']}  train loss {total / seen:.4f}  "
            f"test accuracy {accuracy:.4f}")
    seconds = time.perf_counter() - start

    predictions = predict(model, X_test)
    accuracy = float(np.mean(predictions == y_test))
    counts = confusion_matrix(y_test, predictions)
    log("\nconfusion matrix (rows: true digit, columns: predicted)")
    log("      " + "".join(f"{j:>5}" for j in range(10)))
    for i, row in enumerate(counts):
        log(f"  {i:>2}  " + "".join(f"{c:>5}" for c in row))
    log(f"\ntrained {options['epochs']} epochs in {seconds:.1f} s")
    if save:
        mg.save(model.state_dict(), save)
        log(f"saved the weights to {save}")
    log(f"test accuracy: {accuracy:.4f}")
    return dict(model=model, accuracy=accuracy, confusion=counts, history=history,
                seconds=seconds)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Train an MLP or a CNN on the bundled digits.")
    parser.add_argument("--model", choices=["mlp", "cnn"], default="mlp")
    parser.add_argument("--epochs", type=int, help="default: 30")
    parser.add_argument("--lr", type=float, help="learning rate (default: 2e-3 mlp, 3e-3 cnn)")
    parser.add_argument("--batch-size", type=int, help="default: 32")
    parser.add_argument("--optimizer", choices=["sgd", "adam"],
                        help="default: adam; sgd uses momentum 0.9")
    parser.add_argument("--seed", type=int, default=0, help="initialisation and shuffling")
    parser.add_argument("--save", metavar="PATH", help="save the trained weights (.npz)")
    args = parser.parse_args(argv)
    train(args.model, args.epochs, args.lr, args.batch_size, args.optimizer, args.seed,
          args.save)


if __name__ == "__main__":
    main()
