"""Checking derivatives: `gradcheck` for any function, `check_op` for one primitive."""
from minigrad.testing.check_op import check_op
from minigrad.testing.gradcheck import GradcheckError, gradcheck

__all__ = ["gradcheck", "check_op", "GradcheckError"]
