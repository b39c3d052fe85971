"""Values formatted for a reply in the customer's language: times, days, durations."""

from __future__ import annotations

from datetime import datetime, timedelta

from herstel.clock import AMSTERDAM

_WEEKDAYS = {
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    "nl": ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"],
}
_MONTHS = {
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    "nl": [
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ],
}
_RELATIVE_DAYS = {
    "en": {-1: "yesterday", 0: "today", 1: "tomorrow"},
    "nl": {-1: "gisteren", 0: "vandaag", 1: "morgen"},
}
_UNITS = {
    "en": {"day": ("day", "days"), "hour": ("hour", "hours"), "minute": ("minute", "minutes")},
    "nl": {"day": ("dag", "dagen"), "hour": ("uur", "uur"), "minute": ("minuut", "minuten")},
}
_AND = {"en": "and", "nl": "en"}


def _lang(language: str | None) -> str:
    return "nl" if language == "nl" else "en"


def clock_time(at: datetime) -> str:
    """13:05, in Dutch local time."""
    return at.astimezone(AMSTERDAM).strftime("%H:%M")


def day(at: datetime, now: datetime, language: str | None) -> str:
    """'today', 'tomorrow', or 'on Thursday 26 November' (nl: 'op donderdag 26 november')."""
    lang = _lang(language)
    local, today = at.astimezone(AMSTERDAM).date(), now.astimezone(AMSTERDAM).date()
    relative = _RELATIVE_DAYS[lang].get((local - today).days)
    if relative:
        return relative
    weekday, month = _WEEKDAYS[lang][local.weekday()], _MONTHS[lang][local.month - 1]
    prefix = "op" if lang == "nl" else "on"
    return f"{prefix} {weekday} {local.day} {month}"


def duration(delta: timedelta, language: str | None) -> str:
    """'2 days', '1 hour and 5 minutes', '35 minutes' (rounded to 5 minutes under a day)."""
    lang = _lang(language)
    minutes = int(delta.total_seconds() // 60)
    if minutes >= 24 * 60:
        return _count(minutes // (24 * 60), "day", lang)
    minutes = max(5, round(minutes / 5) * 5)
    hours, rest = divmod(minutes, 60)
    parts = [_count(hours, "hour", lang)] if hours else []
    if rest:
        parts.append(_count(rest, "minute", lang))
    return f" {_AND[lang]} ".join(parts)


def _count(n: int, unit: str, lang: str) -> str:
    singular, plural = _UNITS[lang][unit]
    return f"{n} {singular if n == 1 else plural}"
