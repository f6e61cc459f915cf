;;; Three ways to get a derivative, side by side, and how each checks the others.
;;;
;;;   symbolic:           deriv applies rules to the expression and gives a new expression;
;;;   back propagation:   grad records one evaluation and walks it backwards (reverse mode);
;;;   finite differences: nderiv evaluates at nearby points and extrapolates.
;;;
;;; Each `;=>` comment is the line printed for the expression before it. Tables printed by
;;; backprop-trace and compare-derivatives appear in the output too.

;; A small helper: round a float to 9 decimal places, so finite-difference results print
;; the same on every machine.
(define (approx v) (/ (round (* v 1e9)) 1e9))

;;; --- 1. A sigmoid neuron: y = sigmoid(w x + b) ---------------------------------------------

(define neuron '(sigmoid (+ (* w x) b)))
(define point '((w . 1/2) (x . 2) (b . -1)))

;; Symbolic: the rule for sigmoid is sigma'(u) = sigma(u) (1 - sigma(u)), times du/dw = x.
(deriv neuron 'w)
;=> (* (* (sigmoid (+ (* w x) b)) (- 1 (sigmoid (+ (* w x) b)))) x)
(deriv neuron 'b)
;=> (* (sigmoid (+ (* w x) b)) (- 1 (sigmoid (+ (* w x) b))))

;; Its value at the point: w x + b = 0 there, so sigma = 1/2 exactly and the slope is
;; 1/4 times x.
(evaluate (deriv neuron 'w) point)
;=> 1/2

;; Back propagation gives every partial derivative from one backward pass.
(grad neuron '(w x b) point)
;=> (0.5 0.125 0.25)

;; grad also differentiates a procedure: the program that ran is what gets differentiated.
(define (neuron-output w x b) (sigmoid (+ (* w x) b)))
(grad neuron-output '(1/2 2 -1))
;=> (0.5 0.125 0.25)

;; Finite differences.
(approx (nderiv neuron 'w point))
;=> 0.5

;; How back propagation got there: each node's value going forward, then each node's
;; gradient from above (top diff) and what it passes to its inputs (bottom diffs).
(backprop-trace neuron point)
;=> forward pass
;=>   node   operation                                value
;=>   v0     w                                        1/2
;=>   v1     x                                        2
;=>   v2     b                                        -1
;=>   v3     (* w x)                                  1
;=>   v4     (+ (* w x) b)                            0
;=>   v5     (sigmoid (+ (* w x) b))                  0.5
;=> backward pass
;=>   node   top diff       bottom diffs
;=>   v5     1              v4 += 0.25
;=>   v4     0.25           v3 += 0.25, v2 += 0.25
;=>   v3     0.25           v0 += 0.5, v1 += 0.125
;=>   v2     0.25           (input)
;=>   v1     0.125          (input)
;=>   v0     0.5            (input)
;=> gradient
;=>   d/dw = 0.5
;=>   d/dx = 0.125
;=>   d/db = 0.25

;;; --- 2. An inner product: y = w1 x1 + w2 x2 + w3 x3 + b -------------------------------------

(define inner '(+ (* w1 x1) (* w2 x2) (* w3 x3) b))
(define values '((w1 . 1) (w2 . -2) (w3 . 3) (x1 . 4) (x2 . 5) (x3 . 6) (b . 7)))

;; d y / d w_i is x_i, and d y / d x_i is w_i: what an inner-product layer's backward pass
;; uses for the weight gradient and for the gradient passed to the layer below.
(gradient inner '(w1 w2 w3 b))
;=> (x1 x2 x3 1)
(gradient inner '(x1 x2 x3))
;=> (w1 w2 w3)

;; Exact inputs give exact gradients in every method that allows them.
(grad inner '(w1 w2 w3 x1 x2 x3 b) values)
;=> (4 5 6 1 -2 3 1)
(map (lambda (v) (approx (nderiv inner v values))) '(w1 w2 w3))
;=> (4.0 5.0 6.0)

;;; --- 3. Let each method check the others ---------------------------------------------------

;; compare-derivatives prints the three values and their differences from the symbolic
;; one, and returns them as a list. A cubic at x = 1 keeps every value exact.
(compare-derivatives '(* x x x) 'x '((x . 1)))
;=> d/dx (* x x x) at x = 1
;=>   method               value                    difference from symbolic
;=>   symbolic             3
;=>   back propagation     3                        0
;=>   finite differences   3.0                      0.0
;=>   (finite-difference error estimate: 1.4e-14)
;=> (3 3 3.0)
