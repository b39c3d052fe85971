"""Shop failures: what a caller may do about each."""


class ShopError(Exception):
    """Base for shop failures."""


class IdempotencyConflict(ShopError):
    """An idempotency key was reused for a different write."""


class ShopUnavailable(ShopError):
    """The shop did not answer in time (timeout, 5xx, still throttled after waiting).

    A write may or may not have happened: repeat it with the same idempotency key, which
    finds the earlier result instead of writing again.
    """


class ShopRefused(ShopError):
    """The shop refused the request (a user error, access denied): nothing was changed.

    Repeating it will not help; a person has to look.
    """
