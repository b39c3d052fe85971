"""Typed keys for what the desk keeps on its aiohttp application."""

from __future__ import annotations

import asyncio

import aiohttp
from aiohttp import web

from herstel.bootstrap import Services
from herstel.settings import Settings

SETTINGS = web.AppKey("settings", Settings)
SERVICES = web.AppKey("services", Services)
HTTP = web.AppKey("http", aiohttp.ClientSession)
TASKS = web.AppKey("tasks", set[asyncio.Task[None]])
