"""A local stand-in for the PostNL and DHL tracking APIs, for demos and integration tests."""

from carriers.simulator.app import create_app

__all__ = ["create_app"]
