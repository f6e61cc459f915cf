;;; SICP exercises 2.56 and 2.57: powers, and sums and products of any number of terms.
;;;
;;; This file extends the section 2.3.2 differentiator with a rule for (** base exponent)
;;; and lets + and * take two or more operands. Its `deriv` shadows the built-in one, which
;;; is saved first for comparison. Each `;=>` comment is the line printed for the expression
;;; before it.

(define builtin-deriv deriv)

(define (variable? x) (symbol? x))
(define (same-variable? v1 v2)
  (and (variable? v1) (variable? v2) (eq? v1 v2)))
(define (=number? exp num) (and (number? exp) (= exp num)))

(define (make-sum a1 a2)
  (cond ((=number? a1 0) a2)
        ((=number? a2 0) a1)
        ((and (number? a1) (number? a2)) (+ a1 a2))
        (else (list '+ a1 a2))))

(define (make-product m1 m2)
  (cond ((or (=number? m1 0) (=number? m2 0)) 0)
        ((=number? m1 1) m2)
        ((=number? m2 1) m1)
        ((and (number? m1) (number? m2)) (* m1 m2))
        (else (list '* m1 m2))))

;; Exercise 2.57: the augend of (+ a b c ...) is the sum of the operands after the first,
;; and the multiplicand of (* a b c ...) is their product.
(define (sum? x) (and (pair? x) (eq? (car x) '+)))
(define (addend s) (cadr s))
(define (augend s)
  (if (null? (cdddr s))
      (caddr s)
      (cons '+ (cddr s))))

(define (product? x) (and (pair? x) (eq? (car x) '*)))
(define (multiplier p) (cadr p))
(define (multiplicand p)
  (if (null? (cdddr p))
      (caddr p)
      (cons '* (cddr p))))

;; Exercise 2.56: (** u n) with an exponent that does not depend on the variable.
;; A symbolic exponent gets the symbolic n - 1, written (+ n -1).
(define (exponentiation? x) (and (pair? x) (eq? (car x) '**)))
(define (base e) (cadr e))
(define (exponent e) (caddr e))

(define (make-exponentiation b e)
  (cond ((=number? e 0) 1)
        ((=number? e 1) b)
        ((and (number? b) (number? e)) (expt b e))
        (else (list '** b e))))

(define (deriv exp var)
  (cond ((number? exp) 0)
        ((variable? exp) (if (same-variable? exp var) 1 0))
        ((sum? exp) (make-sum (deriv (addend exp) var)
                              (deriv (augend exp) var)))
        ((product? exp)
         (make-sum (make-product (multiplier exp)
                                 (deriv (multiplicand exp) var))
                   (make-product (deriv (multiplier exp) var)
                                 (multiplicand exp))))
        ((exponentiation? exp)
         (make-product
          (make-product (exponent exp)
                        (make-exponentiation (base exp)
                                             (make-sum (exponent exp) -1)))
          (deriv (base exp) var)))
        (else (error "unknown expression type -- DERIV" exp))))

;; Powers.
(deriv '(** x 3) 'x)
;=> (* 3 (** x 2))
(deriv '(** x 2) 'x)
;=> (* 2 x)
(deriv '(** x 1) 'x)
;=> 1
(deriv '(** x n) 'x)
;=> (* n (** x (+ n -1)))
(deriv '(** (+ x 1) 3) 'x)
;=> (* 3 (** (+ x 1) 2))
(deriv '(** (* 2 x) 3) 'x)
;=> (* (* 3 (** (* 2 x) 2)) 2)

;; Sums and products of three or more terms.
(deriv '(+ x x x) 'x)
;=> 3
(deriv '(* x y (+ x 3)) 'x)
;=> (+ (* x y) (* y (+ x 3)))
(deriv '(* x x x) 'x)
;=> (+ (* x (+ x x)) (* x x))
(deriv '(+ x (* 3 x) (** x 2)) 'x)
;=> (+ 1 (+ 3 (* 2 x)))

;; The n-ary product gives the same result as the nested two-operand one.
(equal? (deriv '(* x y (+ x 3)) 'x)
        (deriv '(* (* x y) (+ x 3)) 'x))
;=> #t

;; The built-in deriv splits operands and builds powers the same way.
(map (lambda (exp) (equal? (deriv exp 'x) (builtin-deriv exp 'x)))
     '((** x 3) (** x n) (** (* 2 x) 3) (+ x x x) (* x y (+ x 3)) (* x x x)
       (+ x (* 3 x) (** x 2))))
;=> (#t #t #t #t #t #t #t)
