"""Fresh failures for end-to-end tests: a case is an order's complaint, whatever the
conversation, so two tests about the same demo order would share one case. A test takes a
copy of a demo order instead, under a new number for a customer of its own: the same carrier
story (the same tracking number), a failure no other test has touched."""

from __future__ import annotations

import itertools
import os
import sqlite3
from contextlib import closing
from pathlib import Path

_numbers = itertools.count(700_000 + (os.getpid() % 1000) * 100)


def fresh_order(var_dir: Path, like: str) -> str:
    """A new order number with the story of demo order `like` (its postcode too)."""
    number = str(next(_numbers))
    customer = f"cus_e2e_{number}"
    with closing(sqlite3.connect(var_dir / "demo-shop.db", timeout=30)) as db, db:
        order = db.execute("SELECT * FROM demo_orders WHERE number = ?", (like,)).fetchone()
        if order is None:
            raise LookupError(f"no demo order {like}")
        names = [c[0] for c in db.execute("SELECT * FROM demo_orders LIMIT 0").description]
        row = dict(zip(names, order, strict=True))
        segment = db.execute(
            "SELECT segment FROM demo_customers WHERE id = ?", (row["customer_id"],)
        ).fetchone()[0]
        db.execute(
            "INSERT INTO demo_customers (id, email, segment) VALUES (?, ?, ?)",
            (customer, f"{customer}@example.nl", segment),
        )
        row |= {"number": number, "customer_id": customer}
        db.execute(
            f"INSERT INTO demo_orders ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
            tuple(row.values()),
        )
        db.execute(
            "INSERT INTO demo_order_lines (order_number, position, sku, name, quantity, "
            "unit_price_minor) SELECT ?, position, sku, name, quantity, unit_price_minor "
            "FROM demo_order_lines WHERE order_number = ?",
            (number, like),
        )
    return number
