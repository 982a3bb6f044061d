"""mpmath routes, independent of the symbolic ones, at user-set precision."""
