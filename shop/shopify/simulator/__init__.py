"""A local Shopify Admin GraphQL API for tests and demos: python -m shop.shopify.simulator."""

from shop.shopify.simulator.app import create_app

__all__ = ["create_app"]
