"""The certified tier: rigorous enclosures on python-flint Arb balls (see ``verify.certified.arb``).

``threshold``: certified collapse thresholds of the deep scalar problem; ``scalar``: certified
stationary points and global minimizers of its reduced (balanced, 1-D in ρ) objective.
"""
