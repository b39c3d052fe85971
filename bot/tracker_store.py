"""Rasa's SQL tracker store, with connections checked before use.

Rasa 3.6 pools its connections without checking them, so after a database restart the first
turn on each pooled connection fails with "server closed the connection unexpectedly". Here
the pool pings a connection before handing it out and replaces a dead one, and a connection
attempt gives up after a few seconds instead of hanging the turn. Select it with tracker_store
type `bot.tracker_store.ReconnectingSQLTrackerStore` (bot/endpoints.yml does).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from sqlalchemy.orm import sessionmaker

CONNECT_SECONDS = 5


class ReconnectingSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # creates the tables, waiting for the database
        if self.engine.dialect.name == "sqlite":
            return  # a file: nothing to reconnect to
        first = self.engine
        options = create_engine_kwargs(first.url)
        connect_args = {**options.pop("connect_args", {}), "connect_timeout": CONNECT_SECONDS}
        self.engine = sa.create_engine(
            first.url, pool_pre_ping=True, connect_args=connect_args, **options
        )
        self.sessionmaker = sessionmaker(bind=self.engine)
        first.dispose()
