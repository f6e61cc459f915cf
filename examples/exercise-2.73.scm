;;; SICP exercise 2.73: data-directed differentiation.
;;;
;;; `deriv` looks up the rule for an expression's operator in the operation table with `get`,
;;; and rules are installed with `put`. symdiff's `put` and `get` are built in, and entries
;;; under the operation 'deriv form the rule table of the built-in deriv as well, so a rule
;;; installed here also teaches the built-in deriv. Each `;=>` comment is the line printed
;;; for the expression before it.

(define builtin-deriv deriv)

(define (variable? x) (symbol? x))
(define (same-variable? v1 v2)
  (and (variable? v1) (variable? v2) (eq? v1 v2)))
(define (operator exp) (car exp))
(define (operands exp) (cdr exp))

;; Part a: numbers and variables carry no operator tag to dispatch on, so they stay as
;; explicit cases; every compound expression goes through the table.
(define (deriv exp var)
  (cond ((number? exp) 0)
        ((variable? exp) (if (same-variable? exp var) 1 0))
        (else ((get 'deriv (operator exp)) (operands exp) var))))

;; Before any rule is installed, the table holds the built-in rules for + * ** and -.
(deriv '(+ x 3) 'x)
;=> 1
(deriv '(* x y) 'x)
;=> y
((get 'deriv '*) '(x y (+ x 3)) 'x)
;=> (+ (* x y) (* y (+ x 3)))

;; Part b: our own rules for sums and products, with the simplifying constructors.
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

;; The rules receive the operand list; these handle exactly two operands.
(define (install-sum-and-product-rules)
  (define (addend operands) (car operands))
  (define (augend operands) (cadr operands))
  (define (multiplier operands) (car operands))
  (define (multiplicand operands) (cadr operands))
  (put 'deriv '+
       (lambda (operands var)
         (make-sum (deriv (addend operands) var)
                   (deriv (augend operands) var))))
  (put 'deriv '*
       (lambda (operands var)
         (make-sum (make-product (multiplier operands)
                                 (deriv (multiplicand operands) var))
                   (make-product (deriv (multiplier operands) var)
                                 (multiplicand operands)))))
  'done)

(install-sum-and-product-rules)
;=> done
(deriv '(* (* x y) (+ x 3)) 'x)
;=> (+ (* x y) (* y (+ x 3)))

;; Part c: one more rule, for sin, and one for cos. The built-in deriv, saved before our
;; definition, now dispatches to them too.
(put 'deriv 'sin
     (lambda (operands var)
       (make-product (list 'cos (car operands))
                     (deriv (car operands) var))))
(put 'deriv 'cos
     (lambda (operands var)
       (make-product (list '* -1 (list 'sin (car operands)))
                     (deriv (car operands) var))))

(procedure? (get 'deriv 'sin))
;=> #t
(deriv '(sin x) 'x)
;=> (cos x)
(deriv '(sin (* 2 x)) 'x)
;=> (* (cos (* 2 x)) 2)
(deriv '(* x (cos x)) 'x)
;=> (+ (* x (* -1 (sin x))) (cos x))
(builtin-deriv '(sin (* 2 x)) 'x)
;=> (* (cos (* 2 x)) 2)
(builtin-deriv '(** (sin x) 2) 'x)
;=> (* (* 2 (sin x)) (cos x))

;; Part d: with the table indexed the other way round, (get (operator exp) 'deriv), only
;; the order of the keys given to put and get changes. These entries go to put's general
;; table, which the built-in deriv does not read.
(put '+ 'deriv (get 'deriv '+))
(put '* 'deriv (get 'deriv '*))

(define (deriv-by-operator exp var)
  (cond ((number? exp) 0)
        ((variable? exp) (if (same-variable? exp var) 1 0))
        (else ((get (operator exp) 'deriv) (operands exp) var))))

(deriv-by-operator '(+ (* 3 x) y) 'x)
;=> 3
(get '** 'deriv)
;=> #f
