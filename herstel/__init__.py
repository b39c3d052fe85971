"""Herstel: a service-recovery assistant (shared kernel, settings and wiring)."""
