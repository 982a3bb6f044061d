"""Batched float64 kernels compiled from the symbolic results."""
