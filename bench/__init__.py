"""Benchmarks: `make bench` prints the figures the README quotes."""
