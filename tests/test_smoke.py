"""The engine end to end on one small function: value, gradient, Hessian, forward mode."""
import numpy as np

import minigrad as mg


def test_gradient_of_polynomial_matches_closed_form():
    x = mg.tensor([1.0, -2.0, 0.5], requires_grad=True)
    (x ** 3 + 2 * x).sum().backward()
    np.testing.assert_allclose(x.grad.data, 3 * x.data ** 2 + 2, rtol=1e-15)


def test_hessian_and_forward_jacobian_match_closed_form():
    x = mg.tensor([1.0, 2.0])
    hessian = mg.hessian(lambda x: (x ** 3).sum())(x)
    np.testing.assert_allclose(hessian.data, np.diag(6 * x.data), rtol=1e-15)
    jacobian = mg.jacobian(lambda x: mg.sin(x), mode="fwd")(x)
    np.testing.assert_allclose(jacobian.data, np.diag(np.cos(x.data)), rtol=1e-15)
