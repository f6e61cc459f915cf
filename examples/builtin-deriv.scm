;;; A tour of the built-in deriv.
;;;
;;; (deriv expression variable [order] [level]) differentiates a quoted expression built
;;; from numbers, symbols and the operators + * ** and -. The level 'sicp (the default)
;;; builds results with the simplifying constructors of SICP section 2.3.2, and 'none keeps
;;; the rules' output as it is. Each `;=>` comment is the line printed for the expression
;;; before it.

;; The examples of SICP section 2.3.2.
(deriv '(+ x 3) 'x)
;=> 1
(deriv '(* x y) 'x)
;=> y
(deriv '(* (* x y) (+ x 3)) 'x)
;=> (+ (* x y) (* y (+ x 3)))

;; The level 'none gives the book's first, unsimplified answers.
(deriv '(+ x 3) 'x 'none)
;=> (+ 1 0)
(deriv '(* x y) 'x 'none)
;=> (+ (* x 0) (* 1 y))
(deriv '(* (* x y) (+ x 3)) 'x 'none)
;=> (+ (* (* x y) (+ 1 0)) (* (+ (* x 0) (* 1 y)) (+ x 3)))

;; Any number of operands: (* a b c) is split into a and (* b c), as in exercise 2.57.
(deriv '(* x y (+ x 3)) 'x)
;=> (+ (* x y) (* y (+ x 3)))
(deriv '(+ x x x) 'x)
;=> 3
(deriv '(+ x y z) 'x 'none)
;=> (+ 1 (+ 0 0))

;; Powers with an exponent free of the variable, as in exercise 2.56.
(deriv '(** x n) 'x)
;=> (* n (** x (+ n -1)))
(deriv '(** x 3) 'x)
;=> (* 3 (** x 2))
(deriv '(** x 1/2) 'x)
;=> (* 1/2 (** x -1/2))
(deriv '(** (+ (* a x) b) 2) 'x)
;=> (* (* 2 (+ (* a x) b)) a)

;; Negation and differences.
(deriv '(- x) 'x)
;=> -1
(deriv '(- (** x 3) (* 2 x)) 'x)
;=> (- (* 3 (** x 2)) 2)

;; Partial derivatives: the same expression with respect to each variable.
(map (lambda (var) (deriv '(+ (* a x) (* b y) (* x y)) var))
     '(x y a))
;=> ((+ a y) (+ b x) x)

;; Higher orders: the third argument is the number of times to differentiate.
(deriv '(** x 3) 'x 2)
;=> (* 3 (* 2 x))
(deriv '(** x 3) 'x 3)
;=> 6
(deriv '(** x 3) 'x 4)
;=> 0
(deriv '(** x 3) 'x 0)
;=> (** x 3)

;; Results are ordinary lists: take them apart, compare them, differentiate them again.
(define velocity (deriv '(+ (* 1/2 g (** t 2)) (* v t)) 't))
velocity
;=> (+ (* 1/2 (* g (* 2 t))) v)
(car velocity)
;=> +
(caddr velocity)
;=> v
;; The 'sicp constructors fold numbers only when both meet in one constructor, so the
;; 1/2 and the 2 below stay apart.
(deriv velocity 't)
;=> (* 1/2 (* g 2))
(equal? (deriv '(* x y) 'x) 'y)
;=> #t

;; A new operator: install its rule with put. A rule takes the operand list and the
;; variable and may call deriv itself for the chain rule.
(put 'deriv 'square
     (lambda (operands var)
       (list '* 2 (car operands) (deriv (car operands) var))))
(deriv '(square x) 'x)
;=> (* 2 x 1)
(deriv '(+ (square (* 3 x)) x) 'x)
;=> (+ (* 2 (* 3 x) 3) 1)
(eq? (get 'deriv 'square) (get 'deriv 'square))
;=> #t

;; The built-in rules are in the same table: (get 'deriv '+) returns the sum rule.
((get 'deriv '+) '(x (* 3 x)) 'x)
;=> 4
(get 'deriv 'no-such-operator)
;=> #f
