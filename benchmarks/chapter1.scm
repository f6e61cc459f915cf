;;; Workloads from SICP chapter 1 for timing an evaluator. The same algorithms, written in
;;; Python, are in chapter1.py.

;; Section 1.2.2: tree recursion.
(define (fib n)
  (cond ((= n 0) 0)
        ((= n 1) 1)
        (else (+ (fib (- n 1)) (fib (- n 2))))))

(define (count-change amount) (cc amount 5))

(define (cc amount kinds-of-coins)
  (cond ((= amount 0) 1)
        ((or (< amount 0) (= kinds-of-coins 0)) 0)
        (else (+ (cc amount (- kinds-of-coins 1))
                 (cc (- amount (first-denomination kinds-of-coins))
                     kinds-of-coins)))))

(define (first-denomination kinds-of-coins)
  (cond ((= kinds-of-coins 1) 1)
        ((= kinds-of-coins 2) 5)
        ((= kinds-of-coins 3) 10)
        ((= kinds-of-coins 4) 25)
        ((= kinds-of-coins 5) 50)))

;; Section 1.2.4: exponentiation by successive squaring.
(define (square x) (* x x))

(define (fast-expt b n)
  (cond ((= n 0) 1)
        ((even? n) (square (fast-expt b (/ n 2))))
        (else (* b (fast-expt b (- n 1))))))

;; The sum of (fast-expt 3 (remainder i 100)) for i below count, so the numbers stay small.
(define (fast-expt-total count)
  (define (iter i total)
    (if (= i count)
        total
        (iter (+ i 1) (+ total (fast-expt 3 (remainder i 100))))))
  (iter 0 0))

;; Section 1.1.7: square roots by Newton's method.
(define (sqrt-iter guess x)
  (if (good-enough? guess x)
      guess
      (sqrt-iter (improve guess x) x)))

(define (improve guess x) (average guess (/ x guess)))
(define (average x y) (/ (+ x y) 2))
(define (good-enough? guess x) (< (abs (- (square guess) x)) 0.001))
(define (newton-sqrt x) (sqrt-iter 1.0 x))

;; The sum of the square roots of 1 .. count.
(define (sqrt-total count)
  (define (iter i total)
    (if (> i count)
        total
        (iter (+ i 1) (+ total (newton-sqrt i)))))
  (iter 1 0.0))

;; Section 1.2.6: primality by trial division.
(define (smallest-divisor n) (find-divisor n 2))

(define (find-divisor n test-divisor)
  (cond ((> (square test-divisor) n) n)
        ((divides? test-divisor n) test-divisor)
        (else (find-divisor n (+ test-divisor 1)))))

(define (divides? a b) (= (remainder b a) 0))
(define (prime? n) (= n (smallest-divisor n)))

;; The number of primes in [low, high).
(define (count-primes low high)
  (define (iter n count)
    (if (>= n high)
        count
        (iter (+ n 1) (if (prime? n) (+ count 1) count))))
  (iter low 0))
