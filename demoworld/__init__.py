"""The demo world: the README's orders plus generated customers, orders and parcel stories."""

WORLD_FILE = "demo-world.json"  # under the var dir: the demo shop and the carrier simulator read it
