"""The mandate engine: what the bot, an agent or a lead may give to make a bad delivery right."""

from policies.case import BudgetUsage, Case, History
from policies.concepts import (
    CarrierEvidence,
    Channel,
    ComplaintType,
    DamageExtent,
    GestureKind,
    Level,
    Segment,
)
from policies.decision import Decision, Dropped, Offer
from policies.engine import decide
from policies.errors import PolicyError
from policies.loader import (
    DEFAULT_POLICY_PATH,
    load_default,
    load_mandate,
    load_mandate_data,
    load_mandate_text,
)
from policies.mandate import Mandate
from policies.plan import BotPlan, bot_plan
from policies.reasons import Reason

__all__ = [
    "DEFAULT_POLICY_PATH",
    "BotPlan",
    "BudgetUsage",
    "CarrierEvidence",
    "Case",
    "Channel",
    "ComplaintType",
    "DamageExtent",
    "Decision",
    "Dropped",
    "GestureKind",
    "History",
    "Level",
    "Mandate",
    "Offer",
    "PolicyError",
    "Reason",
    "Segment",
    "bot_plan",
    "decide",
    "load_default",
    "load_mandate",
    "load_mandate_data",
    "load_mandate_text",
]
