"""The two non-linearities of an LSTM and their derivatives.

Derivatives are written in terms of the *outputs*, as a backward pass uses them:
``sigmoid'(z) = s (1 - s)`` with ``s = sigmoid(z)``, and ``tanh'(z) = 1 - t**2`` with
``t = tanh(z)``. All functions are elementwise and keep the input's shape.
"""

import numpy as np


def sigmoid(z):
    """Logistic function 1 / (1 + exp(-z)), computed as 0.5 (1 + tanh(z / 2)) so it never overflows."""
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def tanh(z):
    """Hyperbolic tangent."""
    return np.tanh(z)


def sigmoid_grad_from_output(s):
    """d sigmoid / dz at the point where sigmoid(z) = s: s (1 - s)."""
    return s * (1.0 - s)


def tanh_grad_from_output(t):
    """d tanh / dz at the point where tanh(z) = t: 1 - t**2."""
    return 1.0 - t * t
