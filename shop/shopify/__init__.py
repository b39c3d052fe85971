"""The Shopify Admin GraphQL API behind shop.model.Shop, and a local Shopify-shaped simulator."""
