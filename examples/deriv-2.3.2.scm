;;; SICP section 2.3.2: symbolic differentiation, written out in Scheme.
;;;
;;; The program below defines its own `deriv`, which shadows the built-in one from its
;;; definition on. The built-in is saved first under another name so the two can be compared.
;;; Run it with `symdiff examples/deriv-2.3.2.scm`; each `;=>` comment is the line printed
;;; for the expression before it.

(define builtin-deriv deriv)

;; The differentiation rules, independent of how expressions are represented.
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
        (else (error "unknown expression type -- DERIV" exp))))

;; The representation: prefix lists with two operands.
(define (variable? x) (symbol? x))
(define (same-variable? v1 v2)
  (and (variable? v1) (variable? v2) (eq? v1 v2)))
(define (sum? x) (and (pair? x) (eq? (car x) '+)))
(define (addend s) (cadr s))
(define (augend s) (caddr s))
(define (product? x) (and (pair? x) (eq? (car x) '*)))
(define (multiplier p) (cadr p))
(define (multiplicand p) (caddr p))

;; First version of the constructors: build the list as it is, with no simplification.
(define (make-sum a1 a2) (list '+ a1 a2))
(define (make-product m1 m2) (list '* m1 m2))

(deriv '(+ x 3) 'x)
;=> (+ 1 0)
(deriv '(* x y) 'x)
;=> (+ (* x 0) (* 1 y))
(deriv '(* (* x y) (+ x 3)) 'x)
;=> (+ (* (* x y) (+ 1 0)) (* (+ (* x 0) (* 1 y)) (+ x 3)))

;; The built-in deriv gives the same unsimplified answers at the level 'none.
(builtin-deriv '(* (* x y) (+ x 3)) 'x 'none)
;=> (+ (* (* x y) (+ 1 0)) (* (+ (* x 0) (* 1 y)) (+ x 3)))
(equal? (deriv '(* (* x y) (+ x 3)) 'x)
        (builtin-deriv '(* (* x y) (+ x 3)) 'x 'none))
;=> #t

;; Second version: fold numbers and drop the additive 0 and the multiplicative 1.
;; `deriv` looks the constructors up when it runs, so redefining them changes its results.
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

(deriv '(+ x 3) 'x)
;=> 1
(deriv '(* x y) 'x)
;=> y
(deriv '(* (* x y) (+ x 3)) 'x)
;=> (+ (* x y) (* y (+ x 3)))

;; These are the built-in deriv's default answers.
(builtin-deriv '(* (* x y) (+ x 3)) 'x)
;=> (+ (* x y) (* y (+ x 3)))
(map (lambda (exp) (equal? (deriv exp 'x) (builtin-deriv exp 'x)))
     '((+ x 3) (* x y) (* (* x y) (+ x 3)) (* (+ x 1) (+ x -1)) (+ (* 3 x) (* x x))))
;=> (#t #t #t #t #t)

;; The constructors fold only their own arguments, so like terms stay apart.
(deriv '(* x x) 'x)
;=> (+ x x)
(deriv '(* (+ x 1) (+ x -1)) 'x)
;=> (+ (+ x 1) (+ x -1))
