"""Tests of symdiff.layers: every backward pass against numeric and symbolic derivatives.

Each gradient is checked twice. The numeric check perturbs one array element at a time and
differentiates the probe loss sum(top * top_diff) with symdiff.calculus.finite_difference.
The symbolic check differentiates the scalar expression of one output element with
symdiff.deriv, evaluates it at the layer's values and combines it with top_diff by the
chain rule. The module is skipped where NumPy, an optional dependency, is missing.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

np = pytest.importorskip("numpy")

import symdiff  # noqa: E402
from symdiff.calculus.finite_difference import derivative  # noqa: E402
from symdiff.layers import EuclideanLoss, InnerProduct, Sigmoid  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
XOR_EXAMPLE = REPO / "examples" / "xor_layers.py"
TRANSPOSE_CASES = [pytest.param(False, id="weight_NxK"), pytest.param(True, id="weight_KxN")]

# Batch size M, inputs K and outputs N of the InnerProduct checks.
M, K, N = 3, 4, 2


def numeric_gradient(scalar_function, array):
    """Return d scalar_function() / d array[i] for every element, changing array in place one element at a time."""
    gradient = np.zeros_like(array)
    for index in np.ndindex(array.shape):
        original = float(array[index])

        def at(value: float, index=index, original=original) -> float:
            array[index] = value
            try:
                return float(scalar_function())
            finally:
                array[index] = original

        gradient[index] = derivative(at, original)
    return gradient


def sample_data(seed: int, *shape: int):
    return np.random.default_rng(seed).normal(size=shape)


def make_inner_product(transpose: bool, bias_term: bool = True) -> InnerProduct:
    layer = InnerProduct(N, bias_term=bias_term, transpose=transpose, rng=1)
    layer.fill_weight(K)
    if bias_term:
        layer.bias = sample_data(2, N)
    return layer


def weight_at(layer: InnerProduct, output: int, input_: int) -> float:
    """Return the weight from input `input_` to output `output` in either layout."""
    if layer.transpose:
        return float(layer.weight[input_, output])
    return float(layer.weight[output, input_])


# Sigmoid


def test_sigmoid_values() -> None:
    bottom = np.linspace(-6.0, 6.0, 13)
    assert np.allclose(Sigmoid().forward(bottom), 1.0 / (1.0 + np.exp(-bottom)), rtol=1e-15, atol=0)


def test_sigmoid_keeps_shape() -> None:
    assert Sigmoid().forward(sample_data(0, 2, 3, 4)).shape == (2, 3, 4)


def test_sigmoid_numeric_gradient() -> None:
    bottom = sample_data(3, 3, 4) * 3
    top_diff = sample_data(4, 3, 4)
    layer = Sigmoid()
    layer.forward(bottom)
    bottom_diff = layer.backward(top_diff)

    expected = numeric_gradient(lambda: np.sum(Sigmoid().forward(bottom) * top_diff), bottom)
    assert np.allclose(bottom_diff, expected, rtol=1e-8, atol=1e-14)


def test_sigmoid_symbolic_gradient() -> None:
    bottom = sample_data(5, 3, 4) * 3
    top_diff = sample_data(6, 3, 4)
    layer = Sigmoid()
    layer.forward(bottom)
    bottom_diff = layer.backward(top_diff)

    sigmoid_derivative = symdiff.deriv("(sigmoid x)", "x")
    expected = np.array([sigmoid_derivative.evaluate(x=float(value)) for value in bottom.ravel()]).reshape(bottom.shape)
    assert np.allclose(bottom_diff, expected * top_diff, rtol=1e-12, atol=0)


def test_sigmoid_extremes_no_warnings() -> None:
    layer = Sigmoid()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        top = layer.forward(np.array([-1000.0, 1000.0]))
        bottom_diff = layer.backward(np.ones(2))
    assert top.tolist() == [0.0, 1.0]
    assert bottom_diff.tolist() == [0.0, 0.0]


def test_sigmoid_extremes_under_numpy_raise() -> None:
    layer = Sigmoid()
    with np.errstate(all="raise"):
        top = layer.forward(np.array([-1000.0, -745.0, 745.0, 1000.0]))
    assert np.all(np.isfinite(top))


def test_sigmoid_backward_before_forward() -> None:
    with pytest.raises(RuntimeError, match=r"before forward"):
        Sigmoid().backward(np.ones(3))


def test_sigmoid_bad_top_diff_shape() -> None:
    layer = Sigmoid()
    layer.forward(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"top_diff has shape \(3, 2\)"):
        layer.backward(np.zeros((3, 2)))


def test_sigmoid_non_numeric_bottom() -> None:
    with pytest.raises(ValueError, match=r"bottom must be an array of real numbers"):
        Sigmoid().forward(["a", "b"])


# InnerProduct


@pytest.mark.parametrize("transpose", TRANSPOSE_CASES)
def test_inner_product_weight_shape(transpose: bool) -> None:
    layer = make_inner_product(transpose)
    assert layer.weight.shape == ((K, N) if transpose else (N, K))


@pytest.mark.parametrize("transpose", TRANSPOSE_CASES)
def test_inner_product_forward(transpose: bool) -> None:
    layer = make_inner_product(transpose)
    bottom = sample_data(7, M, K)
    top = layer.forward(bottom)

    expected = np.zeros((M, N))
    for m in range(M):
        for n in range(N):
            expected[m, n] = sum(weight_at(layer, n, k) * bottom[m, k] for k in range(K)) + layer.bias[n]
    assert np.allclose(top, expected, rtol=1e-14, atol=1e-14)


@pytest.mark.parametrize("transpose", TRANSPOSE_CASES)
def test_inner_product_numeric_gradients(transpose: bool) -> None:
    layer = make_inner_product(transpose)
    bottom = sample_data(8, M, K)
    top_diff = sample_data(9, M, N)
    layer.forward(bottom)
    bottom_diff = layer.backward(top_diff)
    weight_grad = layer.weight_grad.copy()
    bias_grad = layer.bias_grad.copy()

    def probe_loss() -> float:
        return np.sum(layer.forward(bottom) * top_diff)

    assert np.allclose(bottom_diff, numeric_gradient(probe_loss, bottom), rtol=1e-9, atol=1e-12)
    assert np.allclose(weight_grad, numeric_gradient(probe_loss, layer.weight), rtol=1e-9, atol=1e-12)
    assert np.allclose(bias_grad, numeric_gradient(probe_loss, layer.bias), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("transpose", TRANSPOSE_CASES)
def test_inner_product_symbolic_gradients(transpose: bool) -> None:
    layer = make_inner_product(transpose)
    bottom = sample_data(10, M, K)
    top_diff = sample_data(11, M, N)
    top = layer.forward(bottom)
    bottom_diff = layer.backward(top_diff)

    # One output element: top[m, n] = w1 x1 + ... + wK xK + b, with w = the weights into output n.
    weights = [f"w{k + 1}" for k in range(K)]
    inputs = [f"x{k + 1}" for k in range(K)]
    element = symdiff.parse("(+ " + " ".join(f"(* {w} {x})" for w, x in zip(weights, inputs)) + " b)")
    by_weight = [symdiff.deriv(element, name) for name in weights]
    by_input = [symdiff.deriv(element, name) for name in inputs]
    by_bias = symdiff.deriv(element, "b")

    expected_weight_grad = np.zeros((N, K))
    expected_bottom_diff = np.zeros((M, K))
    expected_bias_grad = np.zeros(N)
    for m in range(M):
        for n in range(N):
            point = {"b": float(layer.bias[n])}
            for k in range(K):
                point[weights[k]] = weight_at(layer, n, k)
                point[inputs[k]] = float(bottom[m, k])
            assert element.evaluate(point) == pytest.approx(top[m, n], rel=1e-12, abs=1e-12)
            for k in range(K):
                expected_weight_grad[n, k] += top_diff[m, n] * by_weight[k].evaluate(point)
                expected_bottom_diff[m, k] += top_diff[m, n] * by_input[k].evaluate(point)
            expected_bias_grad[n] += top_diff[m, n] * by_bias.evaluate(point)

    if transpose:
        expected_weight_grad = expected_weight_grad.T
    assert np.allclose(layer.weight_grad, expected_weight_grad, rtol=1e-12, atol=1e-14)
    assert np.allclose(bottom_diff, expected_bottom_diff, rtol=1e-12, atol=1e-14)
    assert np.allclose(layer.bias_grad, expected_bias_grad, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("transpose", TRANSPOSE_CASES)
def test_inner_product_accumulates_grads(transpose: bool) -> None:
    layer = make_inner_product(transpose)
    first_bottom, second_bottom = sample_data(12, M, K), sample_data(13, M, K)
    first_top_diff, second_top_diff = sample_data(14, M, N), sample_data(15, M, N)

    layer.forward(first_bottom)
    layer.backward(first_top_diff)
    first_weight_grad, first_bias_grad = layer.weight_grad.copy(), layer.bias_grad.copy()
    layer.clear_grads()
    layer.forward(second_bottom)
    layer.backward(second_top_diff)
    second_weight_grad, second_bias_grad = layer.weight_grad.copy(), layer.bias_grad.copy()
    layer.clear_grads()

    layer.forward(first_bottom)
    layer.backward(first_top_diff)
    layer.forward(second_bottom)
    layer.backward(second_top_diff)
    assert np.allclose(layer.weight_grad, first_weight_grad + second_weight_grad, rtol=1e-14, atol=1e-14)
    assert np.allclose(layer.bias_grad, first_bias_grad + second_bias_grad, rtol=1e-14, atol=1e-14)


@pytest.mark.parametrize("transpose", TRANSPOSE_CASES)
def test_inner_product_clear_grads(transpose: bool) -> None:
    layer = make_inner_product(transpose)
    layer.forward(sample_data(16, M, K))
    layer.backward(sample_data(17, M, N))
    layer.clear_grads()
    assert not np.any(layer.weight_grad)
    assert not np.any(layer.bias_grad)
    assert layer.weight_grad.shape == layer.weight.shape


@pytest.mark.parametrize("transpose", TRANSPOSE_CASES)
def test_inner_product_without_bias(transpose: bool) -> None:
    layer = make_inner_product(transpose, bias_term=False)
    bottom = sample_data(18, M, K)
    top_diff = sample_data(19, M, N)
    weight_as_n_by_k = layer.weight.T if transpose else layer.weight

    top = layer.forward(bottom)
    bottom_diff = layer.backward(top_diff)
    assert layer.bias is None
    assert layer.bias_grad is None
    assert np.allclose(top, bottom @ weight_as_n_by_k.T, rtol=1e-14, atol=1e-14)
    assert np.allclose(bottom_diff, numeric_gradient(lambda: np.sum(layer.forward(bottom) * top_diff), bottom))


def test_inner_product_fills_weight_from_bottom() -> None:
    layer = InnerProduct(N, rng=0)
    layer.forward(np.zeros((M, K)))
    assert layer.weight.shape == (N, K)


def test_inner_product_xavier_range() -> None:
    layer = InnerProduct(50, rng=0)
    layer.fill_weight(12)
    assert np.max(np.abs(layer.weight)) <= np.sqrt(3.0 / 12)


def test_inner_product_gaussian_filler() -> None:
    layer = InnerProduct(200, weight_filler="gaussian", weight_std=0.5, rng=0)
    layer.fill_weight(50)
    assert np.std(layer.weight) == pytest.approx(0.5, rel=0.05)


def test_inner_product_seed_repeats() -> None:
    first, second = InnerProduct(N, rng=42), InnerProduct(N, rng=42)
    first.fill_weight(K)
    second.fill_weight(K)
    assert np.array_equal(first.weight, second.weight)


def test_inner_product_bias_starts_zero() -> None:
    assert not np.any(InnerProduct(N).bias)


def test_inner_product_rejects_1d_bottom() -> None:
    with pytest.raises(ValueError, match=r"must be 2-D"):
        InnerProduct(N).forward(np.zeros(K))


def test_inner_product_rejects_other_input_count() -> None:
    layer = make_inner_product(False)
    with pytest.raises(ValueError, match=r"weight has shape \(2, 4\), expected \(2, 5\)"):
        layer.forward(np.zeros((M, K + 1)))


def test_inner_product_rejects_no_inputs() -> None:
    with pytest.raises(ValueError, match=r"at least one input"):
        InnerProduct(N).forward(np.zeros((M, 0)))


def test_inner_product_rejects_top_diff_shape() -> None:
    layer = make_inner_product(False)
    layer.forward(np.zeros((M, K)))
    with pytest.raises(ValueError, match=r"top_diff has shape \(3, 3\), expected \(3, 2\)"):
        layer.backward(np.zeros((M, N + 1)))


def test_inner_product_rejects_assigned_weight() -> None:
    layer = make_inner_product(True)
    layer.weight = np.zeros((N, K))
    with pytest.raises(ValueError, match=r"weight has shape \(2, 4\), expected \(4, 2\)"):
        layer.forward(np.zeros((M, K)))


def test_inner_product_rejects_bias_shape() -> None:
    layer = make_inner_product(False)
    layer.bias = np.zeros(N + 1)
    with pytest.raises(ValueError, match=r"bias has shape \(3,\), expected \(2,\)"):
        layer.forward(np.zeros((M, K)))


def test_inner_product_stale_weight_grad() -> None:
    layer = make_inner_product(False)
    layer.weight = np.zeros((N, K + 1))
    layer.forward(np.zeros((M, K + 1)))
    with pytest.raises(ValueError, match=r"Call clear_grads\(\)"):
        layer.backward(np.zeros((M, N)))


@pytest.mark.parametrize("num_output", [0, -1, 2.5, True])
def test_inner_product_rejects_num_output(num_output) -> None:
    with pytest.raises(ValueError, match=r"num_output must be a positive integer"):
        InnerProduct(num_output)


def test_inner_product_rejects_filler() -> None:
    with pytest.raises(ValueError, match=r"invalid weight_filler 'msra'"):
        InnerProduct(N, weight_filler="msra")


def test_inner_product_backward_before_forward() -> None:
    with pytest.raises(RuntimeError, match=r"before forward"):
        InnerProduct(N).backward(np.zeros((M, N)))


# EuclideanLoss


def test_euclidean_loss_value() -> None:
    loss = EuclideanLoss().forward(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[0.0, 0.0], [1.0, 1.0]]))
    assert loss == pytest.approx((1 + 4 + 4 + 9) / 4)


def test_euclidean_loss_numeric_gradient() -> None:
    bottom = sample_data(20, M, N)
    target = sample_data(21, M, N)
    layer = EuclideanLoss()
    layer.forward(bottom, target)
    bottom_diff = layer.backward(0.5)

    expected = numeric_gradient(lambda: 0.5 * EuclideanLoss().forward(bottom, target), bottom)
    assert np.allclose(bottom_diff, expected, rtol=1e-8, atol=1e-14)


def test_euclidean_loss_symbolic_gradient() -> None:
    bottom = sample_data(22, M, N)
    target = sample_data(23, M, N)
    layer = EuclideanLoss()
    layer.forward(bottom, target)
    bottom_diff = layer.backward()

    # The loss is a sum of one term per element: (p - t)^2 / 2M.
    by_prediction = symdiff.deriv("(/ (** (- p t) 2) (* 2 m))", "p")
    expected = np.array(
        [by_prediction.evaluate(p=float(p), t=float(t), m=M) for p, t in zip(bottom.ravel(), target.ravel())]
    ).reshape(bottom.shape)
    assert np.allclose(bottom_diff, expected, rtol=1e-12, atol=0)


def test_euclidean_loss_rejects_target_shape() -> None:
    with pytest.raises(ValueError, match=r"target has shape \(2, 1\), expected \(3, 1\)"):
        EuclideanLoss().forward(np.zeros((3, 1)), np.zeros((2, 1)))


def test_euclidean_loss_rejects_empty_batch() -> None:
    with pytest.raises(ValueError, match=r"at least one sample"):
        EuclideanLoss().forward(np.zeros((0, 1)), np.zeros((0, 1)))


def test_euclidean_loss_backward_before_forward() -> None:
    with pytest.raises(RuntimeError, match=r"before forward"):
        EuclideanLoss().backward()


# The XOR example


def test_xor_example_loss_falls(tmp_path: Path) -> None:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    completed = subprocess.run(
        [sys.executable, "-W", "error", str(XOR_EXAMPLE)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    losses = [float(value) for value in re.findall(r"^step\s+\d+\s+loss\s+(\S+)$", completed.stdout, re.MULTILINE)]
    assert completed.returncode == 0, completed.stderr
    assert len(losses) >= 5
    assert losses[-1] < losses[0] / 10
    assert losses == sorted(losses, reverse=True)
    assert "predictions:" in completed.stdout
