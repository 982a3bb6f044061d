"""The certified tier: rigorous enclosures on python-flint Arb balls (see ``verify.certified.arb``).

``arb``: precision blocks (``workprec``), exact conversion, claimed formulas on balls (``enclose``), interval
Newton (``interval_newton``, ``isolate_roots``); ``scalar``: every stationary point and the global minimizer of the
deep scalar problem (the one certified minimizer; ``spectrum.certify_scalar_minimizer`` reads it);
``threshold``: certified collapse thresholds; ``spectrum``: Hessian eigenvalue enclosures at certified
minimizers; ``matrix``: exact ties and certified uniqueness of the per-singular-value problem; ``regions``: branch-and-bound over Li et al.'s regions.
The checks that judge claims with these live in ``verify.claims`` (data flows from this layer to the claims).
"""
