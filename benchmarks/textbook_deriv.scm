;;; The symbolic differentiator of SICP section 2.3.2, with the simplifying constructors,
;;; exponentiation (exercise 2.56), sums and products of any number of terms (exercise 2.57),
;;; and the chain rule for -, sin, cos, exp and sigmoid, which the benchmark families use.
;;;
;;; It is portable R7RS-small Scheme: the benchmarks run this file unchanged in symdiff's
;;; evaluator and in Guile. The procedure is named textbook-deriv so that it does not shadow
;;; symdiff's built-in deriv.

(define (textbook-deriv exp var)
  (cond ((number? exp) 0)
        ((variable? exp) (if (same-variable? exp var) 1 0))
        ((sum? exp)
         (make-sum (textbook-deriv (addend exp) var)
                   (textbook-deriv (augend exp) var)))
        ((difference? exp)
         (if (null? (cddr exp))
             (make-negation (textbook-deriv (cadr exp) var))
             (make-difference (textbook-deriv (cadr exp) var)
                              (textbook-deriv (caddr exp) var))))
        ((product? exp)
         (make-sum (make-product (multiplier exp)
                                 (textbook-deriv (multiplicand exp) var))
                   (make-product (textbook-deriv (multiplier exp) var)
                                 (multiplicand exp))))
        ((exponentiation? exp)
         (make-product (make-product (exponent exp)
                                     (make-exponentiation (base exp) (- (exponent exp) 1)))
                       (textbook-deriv (base exp) var)))
        ((call-of? 'sin exp)
         (chain (list 'cos (argument exp)) exp var))
        ((call-of? 'cos exp)
         (chain (make-negation (list 'sin (argument exp))) exp var))
        ((call-of? 'exp exp)
         (chain (list 'exp (argument exp)) exp var))
        ((call-of? 'sigmoid exp)
         (chain (make-product exp (make-difference 1 exp)) exp var))
        (else (error "unknown expression type -- TEXTBOOK-DERIV" exp))))

;; d f(u) = f'(u) du, with the outer derivative first.
(define (chain outer exp var)
  (make-product outer (textbook-deriv (argument exp) var)))

(define (variable? x) (symbol? x))
(define (same-variable? v1 v2) (and (variable? v1) (variable? v2) (eq? v1 v2)))
(define (=number? exp num) (and (number? exp) (= exp num)))
(define (tagged? tag x) (and (pair? x) (eq? (car x) tag)))

(define (sum? x) (tagged? '+ x))
(define (addend s) (cadr s))
(define (augend s)
  (if (null? (cdddr s)) (caddr s) (cons '+ (cddr s))))

(define (product? x) (tagged? '* x))
(define (multiplier p) (cadr p))
(define (multiplicand p)
  (if (null? (cdddr p)) (caddr p) (cons '* (cddr p))))

(define (difference? x) (tagged? '- x))

;; Only numeric exponents, as in exercise 2.56.
(define (exponentiation? x) (and (tagged? '** x) (number? (caddr x))))
(define (base e) (cadr e))
(define (exponent e) (caddr e))

(define (call-of? name x) (and (tagged? name x) (pair? (cdr x)) (null? (cddr x))))
(define (argument e) (cadr e))

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

(define (make-negation a)
  (if (number? a) (- a) (list '- a)))

(define (make-difference a1 a2)
  (cond ((=number? a2 0) a1)
        ((=number? a1 0) (make-negation a2))
        ((and (number? a1) (number? a2)) (- a1 a2))
        (else (list '- a1 a2))))

(define (make-exponentiation b e)
  (cond ((=number? e 0) 1)
        ((=number? e 1) b)
        ((and (number? b) (number? e)) (expt b e))
        (else (list '** b e))))

;; The k-th derivative: textbook-deriv applied k times, with no simplification in between.
(define (nth-textbook-deriv exp var k)
  (if (= k 0)
      exp
      (nth-textbook-deriv (textbook-deriv exp var) var (- k 1))))

;; The DAG family: e(0) = x, e(k+1) = (* e(k) (sin e(k))). Each step shares e(k) twice, so
;; the list structure has 2k + 1 pairs' worth of new nodes while the tree it stands for doubles.
(define (dag-expression k)
  (let loop ((i 0) (e 'x))
    (if (= i k)
        e
        (loop (+ i 1) (list '* e (list 'sin e))))))
