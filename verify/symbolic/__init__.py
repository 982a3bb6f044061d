"""SymPy derivations: objectives, derivatives and thresholds, exact."""
