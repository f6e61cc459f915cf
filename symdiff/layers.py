"""Caffe-style neural network layers on NumPy arrays, each with a hand-written backward pass.

The names follow Caffe:

- bottom: the layer's input.
- top: the layer's output, returned by forward(bottom).
- top_diff: the gradient of the loss with respect to top, which backward receives from the
  layer above (the upstream gradient).
- bottom_diff: the gradient of the loss with respect to bottom, which backward returns.

A layer keeps what its backward pass needs from the latest forward pass, so each backward
call uses the batch of the forward call before it. Rows of a 2-D bottom are the samples of a
batch. Back propagation through a stack of layers calls backward in reverse order, passing
each bottom_diff on as the top_diff of the layer below.

NumPy is an optional dependency of symdiff, so this module is not imported by `import symdiff`.
"""

from __future__ import annotations

from typing import Any

try:
    import numpy as np
except ImportError as error:  # pragma: no cover - depends on the environment
    raise ImportError("symdiff.layers requires NumPy, which is not installed. Install it with: pip install numpy") from error

__all__ = ["EuclideanLoss", "InnerProduct", "Sigmoid"]

WEIGHT_FILLERS = ("xavier", "gaussian")


class Sigmoid:
    """The logistic function, elementwise: top = 1 / (1 + exp(-bottom)).

    Its derivative is sigmoid(x) (1 - sigmoid(x)), so backward needs only the stored top.
    """

    def __init__(self) -> None:
        self.top: np.ndarray | None = None

    def forward(self, bottom: Any) -> np.ndarray:
        """Compute top for a bottom of any shape and store it for backward."""
        bottom = _as_float_array(bottom, "bottom")
        # z = e^-|x| lies in (0, 1], so it cannot overflow. The sigmoid is 1 / (1 + z) for x >= 0 and
        # z / (1 + z) for x < 0. Below x = -745, z underflows to 0, which is also the rounded sigmoid.
        with np.errstate(under="ignore"):
            z = np.exp(-np.abs(bottom))
            top = np.where(bottom >= 0, 1.0 / (1.0 + z), z / (1.0 + z))
        self.top = top
        return top

    def backward(self, top_diff: Any) -> np.ndarray:
        """Return bottom_diff = top_diff * top * (1 - top) for the latest forward pass."""
        if self.top is None:
            raise RuntimeError("Sigmoid.backward was called before forward. Call forward(bottom) first")
        top_diff = _as_float_array(top_diff, "top_diff")
        _check_shape(top_diff, self.top.shape, "top_diff", "the top of the latest forward pass")
        # NOTE: this is Caffe's formula. Because top rounds towards 1 for large x, 1 - top has a
        # relative error near 1e-16 / e^-x (5e-8 at x = 20), though its absolute error stays near 1e-16.
        return top_diff * self.top * (1.0 - self.top)


class InnerProduct:
    """A fully connected layer: each of N outputs is a weighted sum of the K inputs plus a bias.

    For a bottom of shape (M, K) the top has shape (M, N), N = num_output:

    - transpose=False: weight has shape (N, K), as Caffe stores it, and top = bottom @ weight.T + bias.
    - transpose=True: weight has shape (K, N), and top = bottom @ weight + bias.

    K comes from the first bottom, which fills the weight unless it was assigned before. The
    "xavier" filler draws from U(-a, a) with a = sqrt(3 / K), as Caffe's XavierFiller does for an
    (N, K) weight with its default fan-in normalisation, and "gaussian" draws from N(0, weight_std^2). The bias
    starts at 0. `rng` is a numpy Generator or a seed for one.

    backward adds the parameter gradients into weight_grad (shape of weight) and bias_grad
    (shape (N,)), which Caffe calls the weight diff and bias diff. They grow across backward
    calls until clear_grads(), as Caffe's parameter diffs do until the solver clears them.
    """

    def __init__(
        self,
        num_output: int,
        bias_term: bool = True,
        transpose: bool = False,
        weight_filler: str = "xavier",
        weight_std: float = 0.01,
        rng: np.random.Generator | int | None = None,
    ) -> None:
        if isinstance(num_output, bool) or not isinstance(num_output, (int, np.integer)) or num_output < 1:
            raise ValueError(f"num_output must be a positive integer, got {num_output!r}")
        if weight_filler not in WEIGHT_FILLERS:
            raise ValueError(f"invalid weight_filler {weight_filler!r}, expected one of: {', '.join(WEIGHT_FILLERS)}")
        if not weight_std > 0:
            raise ValueError(f"weight_std must be positive, got {weight_std!r}")
        self.num_output = int(num_output)
        self.bias_term = bias_term
        self.transpose = transpose
        self.weight_filler = weight_filler
        self.weight_std = weight_std
        self.rng = np.random.default_rng(rng)

        self.weight: np.ndarray | None = None
        self.bias: np.ndarray | None = np.zeros(self.num_output) if bias_term else None
        self.weight_grad: np.ndarray | None = None
        self.bias_grad: np.ndarray | None = np.zeros(self.num_output) if bias_term else None
        self.bottom: np.ndarray | None = None

    def weight_shape(self, num_input: int) -> tuple[int, int]:
        """Return the weight shape for K = num_input inputs: (N, K), or (K, N) when transposed."""
        if self.transpose:
            return (num_input, self.num_output)
        return (self.num_output, num_input)

    def fill_weight(self, num_input: int) -> None:
        """Draw a new weight for K = num_input inputs from the weight filler and clear the gradients."""
        if num_input < 1:
            raise ValueError(f"InnerProduct needs at least one input, got num_input = {num_input}")
        shape = self.weight_shape(num_input)
        if self.weight_filler == "xavier":
            scale = np.sqrt(3.0 / num_input)
            self.weight = self.rng.uniform(-scale, scale, size=shape)
        else:
            self.weight = self.rng.normal(0.0, self.weight_std, size=shape)
        self.clear_grads()

    def clear_grads(self) -> None:
        """Set weight_grad and bias_grad to zero, as before the first backward call."""
        self.weight_grad = None if self.weight is None else np.zeros_like(self.weight)
        self.bias_grad = np.zeros(self.num_output) if self.bias_term else None

    def forward(self, bottom: Any) -> np.ndarray:
        """Compute the (M, N) top of an (M, K) bottom and store the bottom for backward."""
        bottom = _as_float_array(bottom, "bottom")
        if bottom.ndim != 2:
            raise ValueError(
                f"InnerProduct bottom must be 2-D (samples x inputs), got shape {bottom.shape}. "
                "Reshape a single sample with bottom.reshape(1, -1)"
            )
        num_input = bottom.shape[1]
        if self.weight is None:
            self.fill_weight(num_input)
        weight = self._checked_weight(num_input)

        top = bottom @ weight if self.transpose else bottom @ weight.T
        if self.bias_term:
            top = top + self._checked_bias()
        self.bottom = bottom.copy()
        return top

    def backward(self, top_diff: Any) -> np.ndarray:
        """Return the (M, K) bottom_diff and add this batch's gradients to weight_grad and bias_grad.

        With top = bottom @ W.T + b: bottom_diff = top_diff @ W, weight_grad += top_diff.T @ bottom
        and bias_grad += the column sums of top_diff. The transposed layout swaps the weight axes.
        """
        if self.bottom is None:
            raise RuntimeError("InnerProduct.backward was called before forward. Call forward(bottom) first")
        bottom = self.bottom
        weight = self._checked_weight(bottom.shape[1])
        top_diff = _as_float_array(top_diff, "top_diff")
        _check_shape(top_diff, (bottom.shape[0], self.num_output), "top_diff", "(samples, num_output)")

        if self.weight_grad is None:
            self.weight_grad = np.zeros_like(weight)
        _check_shape(
            self.weight_grad, weight.shape, "weight_grad", "the weight", "Call clear_grads() after replacing the weight"
        )
        if self.transpose:
            self.weight_grad += bottom.T @ top_diff
            bottom_diff = top_diff @ weight.T
        else:
            self.weight_grad += top_diff.T @ bottom
            bottom_diff = top_diff @ weight

        if self.bias_term:
            if self.bias_grad is None:
                self.bias_grad = np.zeros(self.num_output)
            _check_shape(self.bias_grad, (self.num_output,), "bias_grad", "(num_output,)")
            self.bias_grad += top_diff.sum(axis=0)
        return bottom_diff

    def _checked_weight(self, num_input: int) -> np.ndarray:
        if self.weight is None:
            raise RuntimeError("InnerProduct has no weight yet. Call forward(bottom) or fill_weight(num_input) first")
        expected = self.weight_shape(num_input)
        layout = "(inputs, num_output)" if self.transpose else "(num_output, inputs)"
        _check_shape(self.weight, expected, "weight", f"{layout} for a bottom with {num_input} inputs")
        return self.weight

    def _checked_bias(self) -> np.ndarray:
        if self.bias is None:
            raise RuntimeError("InnerProduct has bias_term=True but bias is None. Assign an array of shape (num_output,)")
        _check_shape(self.bias, (self.num_output,), "bias", "(num_output,)")
        return self.bias


class EuclideanLoss:
    """Half the mean squared distance between predictions and targets, as in Caffe's EuclideanLoss.

    For a bottom and target of shape (M, ...), loss = sum((bottom - target)^2) / (2 M), so
    d loss / d bottom = (bottom - target) / M.
    """

    def __init__(self) -> None:
        self.residual: np.ndarray | None = None

    def forward(self, bottom: Any, target: Any) -> float:
        """Return the loss and store bottom - target for backward."""
        bottom = _as_float_array(bottom, "bottom")
        target = _as_float_array(target, "target")
        _check_shape(target, bottom.shape, "target", "bottom")
        if bottom.ndim == 0 or bottom.shape[0] == 0:
            raise ValueError(f"EuclideanLoss bottom must have at least one sample along axis 0, got shape {bottom.shape}")
        self.residual = bottom - target
        return float(np.sum(self.residual**2) / (2.0 * bottom.shape[0]))

    def backward(self, top_diff: float = 1.0) -> np.ndarray:
        """Return bottom_diff = top_diff * (bottom - target) / M.

        top_diff is the gradient with respect to the scalar loss, which Caffe calls the loss weight.
        """
        if self.residual is None:
            raise RuntimeError("EuclideanLoss.backward was called before forward. Call forward(bottom, target) first")
        scale = float(top_diff) / self.residual.shape[0]
        return scale * self.residual


def _as_float_array(value: Any, name: str) -> np.ndarray:
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be an array of real numbers: {error}") from None


def _check_shape(array: np.ndarray, expected: tuple[int, ...], name: str, description: str, hint: str = "") -> None:
    if array.shape != tuple(expected):
        message = f"{name} has shape {array.shape}, expected {tuple(expected)} to match {description}"
        raise ValueError(f"{message}. {hint}" if hint else message)
