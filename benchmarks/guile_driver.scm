;;; Time textbook_deriv.scm and chapter1.scm inside Guile, with Guile's own clock, so that
;;; Guile's start-up and compilation are not counted. Timed regions measure the process's CPU
;;; time (get-internal-run-time), as the Python side does; repetitions stop by wall time.
;;; Run by benchmarks/run.py as
;;;
;;;   guile guile_driver.scm deriv PROGRAM INPUT ORDER PRINT-LIMIT PARSE? BUDGET MIN-REPS MAX-REPS
;;;   guile guile_driver.scm eval PROGRAM EXPRESSION BUDGET MIN-REPS MAX-REPS
;;;
;;; INPUT is a file holding one s-expression, or dag:K for the DAG family built in memory.
;;; The result is printed when its tree has at most PRINT-LIMIT nodes; 0 skips counting and
;;; printing. PARSE? is 1 or 0 and
;;; BUDGET is in seconds. Each result is one output line: a phase name followed by the seconds
;;; of every repetition, "nodes COUNT SECONDS" (COUNT is ">LIMIT" when over PRINT-LIMIT), or
;;; "error" and a message. Before each phase
;;; after differentiation an "at PHASE" line names the phase under way, so that a crash there
;;; can be told from a crash in differentiation.

(use-modules (ice-9 textual-ports))

(define (now) (get-internal-real-time))
(define (seconds-between start end)
  (exact->inexact (/ (- end start) internal-time-units-per-second)))

;; Call (thunk) until max-reps runs, or until budget seconds have passed and min-reps have
;; run, or until 3 * budget seconds have passed; return the seconds of each call. When the
;; first call takes under budget / 4, it and up to warmup-reps - 1 more calls within the next
;; budget / 4 seconds are warm-up calls, run as worker.py runs them and not returned.
(define warmup-reps 10)

(define (timed-call thunk)
  (gc)
  (let* ((start (get-internal-run-time))
         (ignored (thunk))
         (end (get-internal-run-time)))
    (seconds-between start end)))

(define (repeat-timed thunk budget min-reps max-reps)
  (let* ((first-start (now))
         (first (timed-call thunk))
         (warm-start (now))
         (warm? (< first (/ budget 4))))
    (when warm?
      (let warm ((calls 1))
        (when (and (< calls warmup-reps)
                   (< (seconds-between warm-start (now)) (/ budget 4)))
          (timed-call thunk)
          (warm (+ calls 1)))))
    (let ((phase-start (if warm? (now) first-start)))
      (let loop ((times (if warm? '() (list first)))
                 (reps (if warm? 0 1)))
        (let ((elapsed (seconds-between phase-start (now))))
          (if (or (>= reps max-reps)
                  (and (>= elapsed budget) (>= reps min-reps))
                  (and (> reps 0) (>= elapsed (* 3 budget))))
              (reverse times)
              (loop (cons (timed-call thunk) times) (+ reps 1))))))))

(define (report phase times)
  (display phase)
  (for-each (lambda (t) (display " ") (display t)) times)
  (newline)
  (force-output))

(define (read-input spec)
  (if (string-prefix? "dag:" spec)
      (values (dag-expression (string->number (substring spec 4))) #f)
      (let ((text (call-with-input-file spec get-string-all)))
        (values (read (open-input-string text)) text))))

(define (report-nodes count seconds)
  (display "nodes ")
  (display count)
  (display " ")
  (display seconds)
  (newline)
  (force-output))

;; The node count of the tree that x stands for, as symdiff's node_count() counts: a list is
;; one node plus its elements. Memoized per pair, so shared structure is visited once. Throws
;; too-large once the count must exceed limit: when a suffix count does, or when more than
;; limit pairs were visited, since each stands for at least one node.
(define (bounded-tree-size x limit)
  (let ((table (make-hash-table))
        (visited 0))
    (define (tree-size x)
      (if (pair? x) (+ 1 (suffix-size x)) 1))
    (define (suffix-size p)
      (cond ((null? p) 0)
            ((hashq-ref table p) => (lambda (n) n))
            (else (let ((n (+ (tree-size (car p)) (suffix-size (cdr p)))))
                    (set! visited (+ visited 1))
                    (when (or (> n limit) (> visited limit))
                      (throw 'too-large))
                    (hashq-set! table p n)
                    n))))
    (tree-size x)))

(define (run-deriv spec order print-limit parse? budget min-reps max-reps)
  (call-with-values
      (lambda () (read-input spec))
    (lambda (input text)
      (let ((result #f)
            (print? #f))
        (report "deriv"
                (repeat-timed (lambda () (set! result (nth-textbook-deriv input 'x order)))
                              budget min-reps max-reps))
        (when (> print-limit 0)
          (report "at nodes" '())
            (let* ((start (get-internal-run-time))
                 (count (catch 'too-large
                          (lambda () (bounded-tree-size result print-limit))
                          (lambda (key . arguments) #f))))
            (report-nodes (or count (string-append ">" (number->string print-limit)))
                          (seconds-between start (get-internal-run-time)))
            (set! print? (and count #t))))
        (when print?
          (report "at print" '())
          (report "print"
                  (repeat-timed (lambda () (call-with-output-string (lambda (port) (write result port))))
                                budget min-reps max-reps)))
        (when (and parse? text)
          (report "at parse" '())
          (report "parse"
                  (repeat-timed (lambda () (read (open-input-string text)))
                                budget min-reps max-reps)))))))

(define (run-eval expression budget min-reps max-reps)
  (let ((form (read (open-input-string expression)))
        (result #f))
    (report "eval" (repeat-timed (lambda () (set! result (eval form (current-module))))
                                 budget min-reps max-reps))
    (display "value ")
    (write result)
    (newline)))

(define (main arguments)
  (let ((mode (car arguments))
        (program (cadr arguments))
        (rest (cddr arguments)))
    (load program)
    (catch #t
      (lambda ()
        (cond ((string=? mode "deriv")
               (apply (lambda (input order print-limit parse? budget min-reps max-reps)
                        (run-deriv input (string->number order) (string->number print-limit) (string=? parse? "1")
                                   (string->number budget) (string->number min-reps) (string->number max-reps)))
                      rest))
              ((string=? mode "eval")
               (apply (lambda (expression budget min-reps max-reps)
                        (run-eval expression (string->number budget) (string->number min-reps)
                                  (string->number max-reps)))
                      rest))
              (else (error "unknown mode; expected deriv or eval" mode))))
      (lambda (key . arguments)
        (display "error ")
        (write (cons key arguments))
        (newline)))))

(main (cdr (command-line)))
