"""Learning-rate schedulers against their closed forms, worked out by hand."""
import math
import warnings

import numpy as np
import pytest

from minigrad import nn, optim
from minigrad.optim import lr_scheduler


def two_group_sgd(lrs=(0.1, 0.03)):
    return optim.SGD([{"params": [nn.Parameter([1.0])], "lr": lr} for lr in lrs], lr=1.0)


def schedule(make, epochs, lrs=(0.1, 0.03)):
    """The rates of every group at epochs 0..epochs, stepping the optimizer first."""
    opt = two_group_sgd(lrs)
    scheduler = make(opt)
    rates = [scheduler.get_last_lr()]
    for _ in range(epochs):
        opt.step()
        scheduler.step()
        rates.append(scheduler.get_last_lr())
        assert rates[-1] == [g["lr"] for g in opt.param_groups]  # written where step reads
    return np.array(rates), scheduler


def test_step_lr_decays_every_step_size_epochs():
    rates, scheduler = schedule(lambda o: lr_scheduler.StepLR(o, step_size=3, gamma=0.5), 7)
    factors = [1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25]  # gamma ** (epoch // 3)
    np.testing.assert_allclose(rates, np.outer(factors, [0.1, 0.03]), rtol=1e-15)
    assert scheduler.last_epoch == 7 and scheduler.base_lrs == [0.1, 0.03]


def test_exponential_lr_multiplies_every_epoch():
    rates, _ = schedule(lambda o: lr_scheduler.ExponentialLR(o, gamma=0.9), 4)
    np.testing.assert_allclose(rates[:, 0], 0.1 * 0.9 ** np.arange(5), rtol=1e-14)


def test_cosine_annealing_follows_the_closed_form_and_rises_again_after_t_max():
    t_max, eta_min = 4, 0.001
    rates, _ = schedule(lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=t_max,
                                                                 eta_min=eta_min), 12)
    t = np.arange(13)
    closed = eta_min + (np.array([[0.1, 0.03]]) - eta_min) * \
        ((1 + np.cos(np.pi * t / t_max)) / 2)[:, None]
    np.testing.assert_allclose(rates, closed, rtol=1e-12, atol=1e-15)
    # by hand: halfway it is the mean of the ends, at T_max the minimum, at 2 T_max back up
    np.testing.assert_allclose(rates[[2, 4, 8], 0], [(0.1 + eta_min) / 2, eta_min, 0.1],
                               rtol=1e-12)


def test_lambda_lr_scales_the_initial_lr_with_one_function_per_group():
    rates, _ = schedule(lambda o: lr_scheduler.LambdaLR(o, [lambda e: e + 1,
                                                            lambda e: 0.5 ** e]), 3)
    np.testing.assert_allclose(rates, [[0.1, 0.03], [0.2, 0.015], [0.3, 0.0075],
                                       [0.4, 0.00375]], rtol=1e-14)


def test_lambda_lr_applies_the_function_at_construction_warmup():
    opt = two_group_sgd()
    lr_scheduler.LambdaLR(opt, lambda epoch: (epoch + 1) / 4)
    assert [g["lr"] for g in opt.param_groups] == [0.025, 0.0075]
    assert [g["initial_lr"] for g in opt.param_groups] == [0.1, 0.03]


def test_the_scheduled_rate_is_the_one_the_next_step_uses():
    w = nn.Parameter([0.0])
    opt = optim.SGD([w], lr=1.0)
    scheduler = lr_scheduler.ExponentialLR(opt, gamma=0.5)
    for _ in range(3):  # steps of 1, 0.5, 0.25 with gradient 1
        opt.zero_grad()
        w.sum().backward()
        opt.step()
        scheduler.step()
    np.testing.assert_allclose(w.data, [-1.75], rtol=1e-15)


def test_schedulers_chain_through_the_groups_lr():
    opt = two_group_sgd()
    first = lr_scheduler.ExponentialLR(opt, gamma=0.5)
    second = lr_scheduler.StepLR(opt, step_size=2, gamma=0.1)
    for _ in range(2):
        opt.step()
        first.step()
        second.step()
    # 0.1 * 0.5 * 0.5, then StepLR's decay at epoch 2 on top (PyTorch's chaining)
    np.testing.assert_allclose(second.get_last_lr(), [0.1 * 0.25 * 0.1, 0.03 * 0.25 * 0.1],
                               rtol=1e-14)


def test_initial_lr_is_kept_and_resuming_needs_it():
    opt = two_group_sgd()
    with pytest.raises(KeyError, match="param_groups\\[0\\] has no 'initial_lr'"):
        lr_scheduler.StepLR(opt, step_size=2, last_epoch=4)
    first = lr_scheduler.StepLR(opt, step_size=2)
    opt.param_groups[0]["lr"] = 5.0
    again = lr_scheduler.ExponentialLR(opt, gamma=0.5)  # initial_lr is not overwritten
    assert again.base_lrs == first.base_lrs == [0.1, 0.03]


def test_state_dict_round_trip():
    rates, scheduler = schedule(lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=5), 2)
    saved = scheduler.state_dict()
    assert "optimizer" not in saved and saved["last_epoch"] == 2
    other = lr_scheduler.CosineAnnealingLR(two_group_sgd(), T_max=5)
    other.load_state_dict(saved)
    assert other.last_epoch == 2 and other.get_last_lr() == list(rates[-1])


def test_stepping_the_scheduler_before_the_optimizer_warns():
    opt = two_group_sgd()
    scheduler = lr_scheduler.StepLR(opt, step_size=1)
    with pytest.warns(UserWarning, match="before optimizer.step\\(\\)"):
        scheduler.step()
    opt = two_group_sgd()
    scheduler = lr_scheduler.StepLR(opt, step_size=1)
    opt.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scheduler.step()


def test_bad_arguments_raise_clear_errors():
    opt = two_group_sgd()
    with pytest.raises(TypeError, match="expected an optimizer"):
        lr_scheduler.StepLR([nn.Parameter([1.0])], step_size=1)
    with pytest.raises(ValueError, match="step_size must be an int >= 1, got 0"):
        lr_scheduler.StepLR(opt, step_size=0)
    with pytest.raises(ValueError, match="T_max must be an int >= 1, got 2.5"):
        lr_scheduler.CosineAnnealingLR(opt, T_max=2.5)
    with pytest.raises(ValueError, match="gamma must be a finite number"):
        lr_scheduler.ExponentialLR(opt, gamma=math.nan)
    with pytest.raises(ValueError, match="expected 2 lr_lambdas"):
        lr_scheduler.LambdaLR(opt, [lambda e: 1.0])
    with pytest.raises(TypeError, match="lr_lambda must be a function"):
        lr_scheduler.LambdaLR(opt, 0.5)
    scheduler = lr_scheduler.ExponentialLR(opt, gamma=0.5)
    with pytest.raises(TypeError, match="step\\(epoch\\) is deprecated"):
        scheduler.step(3)


# ----- MultiStepLR and ReduceLROnPlateau ------------------------------------------------

def test_multi_step_lr_applies_gamma_at_each_milestone_repeats_included():
    rates, _ = schedule(lambda o: lr_scheduler.MultiStepLR(o, milestones=[5, 2, 5], gamma=0.1), 7)
    factors = [1, 1, 0.1, 0.1, 0.1, 0.001, 0.001, 0.001]  # 5 listed twice: gamma twice
    np.testing.assert_allclose(rates, np.outer(factors, [0.1, 0.03]), rtol=1e-14)
    with pytest.raises(ValueError, match="milestone must be an int >= 1"):
        lr_scheduler.MultiStepLR(two_group_sgd(), milestones=[0, 3])


def _plateau(metrics, **options):
    opt = two_group_sgd((1.0, 0.5))
    plateau = lr_scheduler.ReduceLROnPlateau(opt, **options)
    rates = []
    for metric in metrics:
        opt.step()
        plateau.step(metric)
        rates.append(plateau.get_last_lr()[0])
        assert plateau.get_last_lr() == [g["lr"] for g in opt.param_groups]
    return rates, plateau


def test_reduce_on_plateau_waits_patience_epochs_then_reduces():
    # best 3 -> 2 at epoch 2; then 2, 2, 2 are bad epochs 1, 2, 3: the third exceeds patience 2
    rates, plateau = _plateau([3, 2, 2, 2, 2, 1.5, 1.5], factor=0.5, patience=2)
    assert rates == [1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5]
    assert plateau.best == 1.5 and plateau.num_bad_epochs == 1 and plateau.last_epoch == 7


def test_reduce_on_plateau_cooldown_min_lr_and_the_relative_threshold():
    # patience 0: every bad epoch reduces, except the cooldown's one after each reduction
    rates, _ = _plateau([1, 1, 1, 1, 1, 1], factor=0.5, patience=0, cooldown=1, min_lr=[0.3, 0.0])
    assert rates == [1.0, 0.5, 0.5, 0.3, 0.3, 0.3]  # 0.25 would be below min_lr: 0.3
    # rel threshold 0.1: 0.95 is not 10% below 1.0, so it is a bad epoch
    rates, plateau = _plateau([1.0, 0.95, 0.89], patience=0, threshold=0.1)
    assert rates == [1.0, 0.1, 0.1] and plateau.best == 0.89
    # a negative best: PyTorch's bar best * (1 - threshold) is above best
    _, plateau = _plateau([-1.0, -0.95], threshold=0.1)
    assert plateau.best == -0.95


def test_reduce_on_plateau_in_max_mode_with_an_absolute_threshold():
    rates, _ = _plateau([0.5, 0.6, 0.7, 0.72], mode="max", patience=0, threshold=0.05,
                        threshold_mode="abs", factor=0.1)
    assert rates == [1.0, 1.0, 1.0, 0.1]  # 0.72 is within 0.05 of 0.7


def test_reduce_on_plateau_rejects_bad_options():
    opt = two_group_sgd()
    for options, message in (({"mode": "lowest"}, "mode must be"), ({"factor": 1.0}, r"\(0, 1\)"),
                             ({"threshold_mode": "pct"}, "threshold_mode"),
                             ({"patience": -1}, "patience"), ({"min_lr": [0.0]}, "expected 2")):
        with pytest.raises(ValueError, match=message):
            lr_scheduler.ReduceLROnPlateau(opt, **options)
    with pytest.raises(TypeError, match="expected an optimizer"):
        lr_scheduler.ReduceLROnPlateau("sgd")
