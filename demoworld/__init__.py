"""The demo world: the README's orders plus generated customers, orders and parcel stories."""
