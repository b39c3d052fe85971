"""Order specs of a demo world: customers and orders with times relative to "now".

shop/demo_orders.yml holds the README's orders; `herstel demo seed` writes generated worlds
as JSON (quick to read at a hundred thousand orders). Both have the same shape.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml


def load_orders(path: Path) -> dict[str, Any]:
    """{"customers": [...], "orders": [...]} from a YAML or JSON file."""
    text = path.read_text(encoding="utf-8")
    data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    if not isinstance(data, dict) or "orders" not in data:
        raise ValueError(f"{path}: not an order spec (needs customers and orders)")
    return {"customers": data.get("customers", []), "orders": data["orders"]}
