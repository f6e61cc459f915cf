"""Train a two-layer sigmoid network on XOR with the Caffe-style layers in symdiff.layers.

The network is InnerProduct(2 -> 4) -> Sigmoid -> InnerProduct(4 -> 1) -> Sigmoid, trained on
the four XOR samples as one batch with EuclideanLoss and plain gradient descent. The script
prints the loss every few hundred steps, then the final predictions, and exits with status 1
unless the final loss is below --max-loss and every prediction is on the right side of 0.5.

Run it from the repository root with symdiff installed, or with PYTHONPATH=. :

    python examples/xor_layers.py
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from symdiff.layers import EuclideanLoss, InnerProduct, Sigmoid

INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
TARGETS = np.array([[0.0], [1.0], [1.0], [0.0]])
HIDDEN_UNITS = 4


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Train a two-layer sigmoid network on XOR.")
    parser.add_argument("--steps", type=int, default=2000, help="number of gradient descent steps (default: 2000)")
    parser.add_argument("--learning-rate", type=float, default=5.0, help="gradient descent step size (default: 5.0)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the weight initialisation (default: 0)")
    parser.add_argument("--report-every", type=int, default=200, help="steps between loss lines (default: 200)")
    parser.add_argument(
        "--max-loss", type=float, default=0.01, help="exit with status 1 unless the final loss is below this (default: 0.01)"
    )
    arguments = parser.parse_args(argv)
    if arguments.steps < 0:
        parser.error(f"--steps must be 0 or more, got {arguments.steps}")
    if arguments.report_every < 1:
        parser.error(f"--report-every must be 1 or more, got {arguments.report_every}")
    return arguments


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    rng = np.random.default_rng(arguments.seed)
    hidden = InnerProduct(HIDDEN_UNITS, rng=rng)
    hidden_activation = Sigmoid()
    output = InnerProduct(1, rng=rng)
    output_activation = Sigmoid()
    loss_layer = EuclideanLoss()
    layers_with_parameters = (hidden, output)

    loss = float("nan")
    for step in range(arguments.steps + 1):
        # Forward pass: bottom to top.
        prediction = output_activation.forward(output.forward(hidden_activation.forward(hidden.forward(INPUTS))))
        loss = loss_layer.forward(prediction, TARGETS)
        if step % arguments.report_every == 0 or step == arguments.steps:
            print(f"step {step:5d}  loss {loss:.6f}")
        if step == arguments.steps:
            break

        # Backward pass: each layer turns its top_diff into the bottom_diff of the layer below.
        top_diff = output_activation.backward(loss_layer.backward())
        top_diff = hidden_activation.backward(output.backward(top_diff))
        hidden.backward(top_diff)

        for layer in layers_with_parameters:
            layer.weight -= arguments.learning_rate * layer.weight_grad
            layer.bias -= arguments.learning_rate * layer.bias_grad
            layer.clear_grads()

    print("predictions:")
    for sample, target, value in zip(INPUTS, TARGETS[:, 0], prediction[:, 0]):
        print(f"  {int(sample[0])} xor {int(sample[1])} = {int(target)}  predicted {value:.4f}")

    all_correct = bool(np.all((prediction > 0.5) == (TARGETS > 0.5)))
    if loss < arguments.max_loss and all_correct:
        return 0
    print(
        f"training failed: final loss {loss:.6f} (limit {arguments.max_loss}), "
        f"predictions on the correct side of 0.5: {all_correct}",
        file=sys.stderr,
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())
