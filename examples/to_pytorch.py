"""When you outgrow minigrad: move a model trained here to PyTorch and keep training it there.

    python examples/to_pytorch.py                 # needs PyTorch: pip install torch

minigrad names and lays out parameters as PyTorch does (Linear.weight is (out, in), a
Sequential numbers its layers "0", "1", ...), and its optimizers keep PyTorch's state
(param_groups, and Adam's step, exp_avg and exp_avg_sq), so both state dicts carry
across as they are, each array becoming a tensor. This script:

1. trains the digits MLP of examples/train_digits.py with minigrad and Adam;
2. builds the same network in PyTorch and loads the model's state dict: the same
   predictions on every test image (logits equal to rounding);
3. loads the optimizer's state dict into torch.optim.Adam and takes one more step in
   each library on the same batch: the same new weights, so the run goes on where it was;
4. trains on in PyTorch and reports the test accuracy.

Without PyTorch it says so and exits (status 0): minigrad itself needs only NumPy.
"""
import argparse
import os
import sys

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")  # small matrices: one thread is faster

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import minigrad as mg  # noqa: E402
from train_digits import load_split, make_model, predict  # noqa: E402


def torch_or_none():
    try:
        import torch
    except ImportError:
        return None
    return torch


def batches(n, batch_size, rng):
    order = rng.permutation(n)
    return [order[k:k + batch_size] for k in range(0, n, batch_size)]


def train_minigrad(model, optimizer, X, y, epochs, rng):
    for _ in range(epochs):
        for rows in batches(len(y), 32, rng):
            optimizer.zero_grad()
            mg.nn.F.cross_entropy(model(mg.tensor(X[rows])), y[rows]).backward()
            optimizer.step()


def torch_model(torch, state_dict):
    """The same MLP in PyTorch, in minigrad's dtype (float64), from minigrad's state dict."""
    model = torch.nn.Sequential(torch.nn.Linear(64, 128), torch.nn.ReLU(),
                                torch.nn.Linear(128, 10)).double()
    # torch.tensor copies: the two models must not share memory for the comparison below
    model.load_state_dict({name: torch.tensor(array) for name, array in state_dict.items()})
    return model


def torch_optimizer_state(torch, state_dict):
    """minigrad's optimizer state dict with its arrays (and Adam's step count) as tensors."""
    def as_torch(key, value):
        if key == "step":
            return torch.tensor(float(value))
        return torch.tensor(value) if isinstance(value, np.ndarray) else value
    return {"state": {i: {k: as_torch(k, v) for k, v in s.items()}
                      for i, s in state_dict["state"].items()},
            "param_groups": state_dict["param_groups"]}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10, help="in each library")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    torch = torch_or_none()
    if torch is None:
        print("examples/to_pytorch.py needs PyTorch, which is not installed here "
              "(pip install torch); minigrad itself needs only NumPy.")
        return 0
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    X_train, y_train, X_test, y_test = load_split("mlp")

    # 1. minigrad
    model = make_model("mlp", rng)
    optimizer = mg.optim.Adam(model.parameters(), lr=2e-3)
    train_minigrad(model, optimizer, X_train, y_train, args.epochs, rng)
    accuracy = np.mean(predict(model, X_test) == y_test)
    print(f"minigrad: {args.epochs} epochs of Adam, test accuracy {accuracy:.4f}")

    # 2. the same network in PyTorch
    twin = torch_model(torch, model.state_dict())
    with torch.no_grad(), mg.no_grad():
        ours, theirs = model(mg.tensor(X_test)).numpy(), twin(torch.tensor(X_test)).numpy()
    same = np.mean(ours.argmax(axis=1) == theirs.argmax(axis=1))
    print(f"PyTorch, loaded from minigrad's state dict: {same:.0%} of the {len(y_test)} test "
          f"predictions agree; largest logit difference {np.abs(ours - theirs).max():.1e}")

    # 3. the optimizer carries across too: one more step in each, on the same batch
    twin_optimizer = torch.optim.Adam(twin.parameters(), lr=2e-3)
    twin_optimizer.load_state_dict(torch_optimizer_state(torch, optimizer.state_dict()))
    rows = batches(len(y_train), 32, rng)[0]
    optimizer.zero_grad()
    mg.nn.F.cross_entropy(model(mg.tensor(X_train[rows])), y_train[rows]).backward()
    optimizer.step()
    twin_optimizer.zero_grad()
    torch.nn.functional.cross_entropy(twin(torch.tensor(X_train[rows])),
                                      torch.tensor(y_train[rows])).backward()
    twin_optimizer.step()
    gap = max(np.abs(p.data - q.detach().numpy()).max()
              for p, q in zip(model.parameters(), twin.parameters()))
    print(f"one more Adam step in each, from minigrad's optimizer state: largest weight "
          f"difference {gap:.1e}")

    # 4. and on in PyTorch
    for _ in range(args.epochs):
        for rows in batches(len(y_train), 32, rng):
            twin_optimizer.zero_grad()
            torch.nn.functional.cross_entropy(twin(torch.tensor(X_train[rows])),
                                              torch.tensor(y_train[rows])).backward()
            twin_optimizer.step()
    with torch.no_grad():
        predictions = twin(torch.tensor(X_test)).argmax(dim=1).numpy()
    print(f"PyTorch: {args.epochs} more epochs, test accuracy "
          f"{np.mean(predictions == y_test):.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
