"""Shop failures."""


class ShopError(Exception):
    """Base for shop failures."""


class IdempotencyConflict(ShopError):
    """An idempotency key was reused for a different write."""
