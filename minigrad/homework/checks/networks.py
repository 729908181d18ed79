"""Network tasks: a layer, an optimizer's update rule, and a training run, checked through
minigrad's public API so that internals may change under them.

- linear: `nn.Linear` builds its parameters (PyTorch's names, shapes and default
  initialisation, judged by its bounds and spread) and computes x W^T + b and its
  gradients (given the grader's weights through `load_state_dict`);
- optimizer: a few steps of `optim.SGD` or `optim.Adam` (`optimizer = "SGD"`) per
  configuration in `configs`, on gradients the grader chooses; the trajectory is compared;
- training: the assignment's `train(X, y, rng)` (a place, e.g. train_digits.py:train)
  fits the digits' training split; the parent scores the returned model's predictions on
  the test split, which only the parent can check, against `accuracy`.
"""
import importlib
import re

import numpy as np

from minigrad.homework.checks import Check

LINEAR_SHAPES = [(64, 10), (5, 3)]  # (in_features, out_features) judged


class LinearCheck(Check):
    derivatives = False
    default_weights = {"parameters": 1.0, "forward": 1.0, "backward": 1.0}

    def parts(self, task):
        return [("parameters", "parameters and initialisation"), ("forward", "forward"),
                ("backward", "gradients")]

    def inputs(self, task, rng, label):
        arrays = {"init/seed": np.array(rng.integers(2 ** 31))}
        for n, (fan_in, fan_out) in enumerate(LINEAR_SHAPES):
            arrays[f"{n}/w"] = rng.standard_normal((fan_out, fan_in))
            arrays[f"{n}/b"] = rng.standard_normal(fan_out)
            arrays[f"{n}/x"] = rng.standard_normal((7, fan_in))
            arrays[f"{n}/x3"] = rng.standard_normal((2, 3, fan_in))
            arrays[f"{n}/u"] = rng.standard_normal((7, fan_out))
        return arrays

    def units(self, task, inputs):
        yield "parameters", "init", lambda: _linear_init(inputs)
        for n in range(len(LINEAR_SHAPES)):
            yield "forward", f"layer{n}", lambda n=n: _linear_forward(inputs, n)
            yield "backward", f"layer{n}", lambda n=n: _linear_backward(inputs, n)

    def judge(self, task, part, unit, inputs, expected, got):
        if part != "parameters":
            message = super().judge(task, part, unit, inputs, expected, got)
            return f"{unit} {LINEAR_SHAPES[int(unit[5:])]}: {message}" if message else None
        have = got[(part, unit)]
        problems = []
        for key, want in expected[(part, unit)].items():
            if key.startswith("shape") and not np.array_equal(have.get(key), want):
                problems.append(f"{key[6:]} has shape {tuple(have.get(key, ()))}, expected {tuple(want)}")
        for key in ("weight", "bias"):
            values, bound = have.get(key), have.get("bound")
            if values is None or bound is None or values.size == 0:
                continue
            if np.max(np.abs(values)) > bound:
                problems.append(f"{key} exceeds 1/sqrt(in_features) = {bound:.4g} in size")
            elif abs(np.std(values) - bound / np.sqrt(3)) > 0.15 * bound / np.sqrt(3):
                problems.append(f"{key} has spread {np.std(values):.4g}, but U(-{bound:.3g}, "
                                f"{bound:.3g}) has {bound / np.sqrt(3):.4g}")
        if str(have.get("names")) != str(expected[(part, unit)]["names"]):
            problems.append(f"the parameters are named {have.get('names')}; PyTorch's names, "
                            f"which state dicts use, are {expected[(part, unit)]['names']}")
        for flag, said in (("requires_grad", "every parameter requires grad"),
                           ("same_seed_same_values", "the same rng gives the same parameters"),
                           ("no_bias", "bias=False leaves .bias None and one parameter")):
            if not bool(have.get(flag, False)):
                problems.append(f"expected: {said}")
        return "; ".join(problems) or None


def _linear_init(inputs):
    import minigrad as mg
    seed = int(inputs["init/seed"])
    layer = mg.nn.Linear(256, 512, rng=seed)
    twin = mg.nn.Linear(256, 512, rng=seed)
    lean = mg.nn.Linear(3, 2, bias=False, rng=seed)
    names = [name for name, _ in layer.named_parameters()]
    bias = layer.bias
    assert bias is not None  # Linear(bias=True), the default
    return {"shape_weight": np.array(layer.weight.shape), "shape_bias": np.array(bias.shape),
            "weight": layer.weight.data, "bias": bias.data, "bound": np.array(1 / 16),
            "names": np.array(",".join(names)),
            "requires_grad": np.array(all(p.requires_grad for p in layer.parameters())),
            "same_seed_same_values": np.array(np.array_equal(layer.weight.data, twin.weight.data)),
            "no_bias": np.array(lean.bias is None and len(list(lean.parameters())) == 1)}


def _loaded_linear(inputs, n):
    import minigrad as mg
    fan_in, fan_out = LINEAR_SHAPES[n]
    layer = mg.nn.Linear(fan_in, fan_out, rng=0)
    layer.load_state_dict({"weight": inputs[f"{n}/w"], "bias": inputs[f"{n}/b"]})
    return layer


def _linear_forward(inputs, n):
    import minigrad as mg
    layer = _loaded_linear(inputs, n)
    return {"y": layer(mg.tensor(inputs[f"{n}/x"])), "y3": layer(mg.tensor(inputs[f"{n}/x3"]))}


def _linear_backward(inputs, n):
    import minigrad as mg
    layer = _loaded_linear(inputs, n)
    x = mg.tensor(inputs[f"{n}/x"], requires_grad=True)
    (layer(x) * mg.tensor(inputs[f"{n}/u"])).sum().backward()
    return {"x_grad": x.grad, "weight_grad": layer.weight.grad, "bias_grad": layer.bias.grad}


class OptimizerCheck(Check):
    """`optimizer` names the class; `configs` is a list of its keyword arguments."""

    derivatives = False

    def parts(self, task):
        return [(f"config{i}", _config_title(task.options["optimizer"], c))
                for i, c in enumerate(task.options["configs"])]

    def inputs(self, task, rng, label):
        steps = int(task.options.get("steps", 5))
        return {"theta0": rng.standard_normal((3, 4)), "theta1": rng.standard_normal(5),
                "grads0": rng.standard_normal((steps, 3, 4)), "grads1": rng.standard_normal((steps, 5))}

    def units(self, task, inputs):
        for i, config in enumerate(task.options["configs"]):
            yield f"config{i}", "steps", lambda config=config: _trajectory(task, config, inputs)

    def judge(self, task, part, unit, inputs, expected, got):
        message = super().judge(task, part, unit, inputs, expected, got)
        return re.sub(r"theta(\d+)_step(\d+)", r"parameter \1 after step \2", message) \
            if message else None


def _config_title(name, config):
    name = config.get("optimizer", name)
    arguments = ", ".join(f"{k}={v}" for k, v in config.items() if k != "optimizer")
    return f"{name}({arguments})"


def _trajectory(task, config, inputs):
    """The parameters after each step, the gradients given by the grader (not a loss)."""
    import minigrad as mg
    params = [mg.tensor(inputs["theta0"], requires_grad=True),
              mg.tensor(inputs["theta1"], requires_grad=True)]
    config = dict(config)
    name = config.pop("optimizer", task.options["optimizer"])
    optimizer = getattr(mg.optim, name)(params, **config)
    out = {}
    for step in range(inputs["grads0"].shape[0]):
        for k, p in enumerate(params):
            p.grad = mg.tensor(inputs[f"grads{k}"][step])
        optimizer.step()
        for k, p in enumerate(params):
            out[f"theta{k}_step{step + 1}"] = p.data.copy()
    return out


class TrainingCheck(Check):
    """`accuracy`: the test accuracy to reach; the place of `train` is the task's function."""

    def parts(self, task):
        return [("accuracy", f"test accuracy >= {task.options.get('accuracy', 0.95):.0%}")]

    def inputs(self, task, rng, label):
        if label != "hidden":  # one training run: the split is the hidden part
            return {}
        from minigrad.datasets import load_digits
        X, y = load_digits()
        order = rng.permutation(len(y))
        cut = int(0.8 * len(y))
        train, test = order[:cut], order[cut:]
        return {"X_train": X[train] / 16.0, "y_train": y[train], "X_test": X[test] / 16.0,
                "secret_y_test": y[test], "seed": np.array(rng.integers(2 ** 31))}

    def units(self, task, inputs):
        if "X_train" in inputs:
            yield "accuracy", "run", lambda: _train_and_predict(task, inputs)

    def judge(self, task, part, unit, inputs, expected, got):
        logits = np.asarray(got[(part, unit)].get("logits"))
        labels = inputs["secret_y_test"]
        if logits.shape != (len(labels), 10):
            return f"the model gave outputs of shape {logits.shape} for {len(labels)} test images; expected ({len(labels)}, 10)"
        accuracy = float(np.mean(np.argmax(logits, axis=1) == labels))
        wanted = task.options.get("accuracy", 0.95)
        seconds = float(got[(part, unit)].get("seconds", np.nan))
        if accuracy < wanted:
            return (f"test accuracy {accuracy:.1%} (training took {seconds:.1f} s); "
                    f"{wanted:.0%} is needed")
        return None


def _train_and_predict(task, inputs):
    import time

    import minigrad as mg
    place = task.functions[0]
    module = importlib.import_module(place.path[:-3].replace("/", "."))
    started = time.monotonic()
    model = getattr(module, place.qualname)(inputs["X_train"], inputs["y_train"],
                                            np.random.default_rng(int(inputs["seed"])))
    seconds = time.monotonic() - started
    if hasattr(model, "eval"):
        model.eval()
    with mg.no_grad():
        logits = model(mg.tensor(inputs["X_test"]))
    return {"logits": logits, "seconds": np.array(seconds)}
