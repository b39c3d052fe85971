"""One settings object per process, read from HERSTEL_* environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HERSTEL_", extra="ignore")

    # Where state lives. SQLite under var/ is the embedded default.
    var_dir: Path = ROOT / "var"
    database_url: str = ""  # journey store; default: sqlite in var_dir
    shop_database_url: str = ""  # the demo shop; default: sqlite in var_dir

    # The shop: the local demo shop, or a Shopify store's Admin API (README: Shopify).
    shop: Literal["demo", "shopify"] = "demo"
    shopify_store_domain: str = Field(
        default="", pattern=r"^$|^[a-z0-9][a-z0-9-]*\.myshopify\.com$"
    )
    shopify_access_token: SecretStr = SecretStr("")
    shopify_api_version: str = Field(default="2026-10", pattern=r"^\d{4}-\d{2}$")
    shopify_api_url: str = ""  # instead of https://<store domain>, e.g. the local simulator
    shopify_timeout_seconds: float = Field(default=5.0, gt=0, le=30)
    # Gift card codes are derived from the idempotency key with this secret (default: the
    # access token), so a retry recognises the card it made; keep it when rotating the token.
    shopify_code_secret: SecretStr = SecretStr("")
    shopify_order_prefix: str = "#"  # the order name's prefix in the Shopify admin
    shopify_vip_tag: str = "vip"  # customers with this tag are in the vip segment
    shopify_promise_days: float = Field(default=2, gt=0)  # when checkout gave no delivery date
    shopify_notify_customers: bool = True  # Shopify e-mails the customer about a refund

    # The mandate: which gestures the bot and agents may give.
    policy_file: Path = ROOT / "policies" / "default.yml"

    # Carriers: the local simulator by default, real APIs when configured.
    postnl_base_url: str = "http://127.0.0.1:8090"
    postnl_api_key: SecretStr = SecretStr("simulator")
    dhl_base_url: str = "http://127.0.0.1:8090"
    dhl_api_key: SecretStr = SecretStr("simulator")
    carrier_timeout_seconds: float = 5.0
    carrier_cache_seconds: float = 60.0

    # Where the web chat page finds the Rasa server (public URL when behind a proxy).
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_public_url: str = ""
    # Rasa's HTTP API token: agents' decisions reach the conversation through it.
    rasa_token: SecretStr = SecretStr("")

    # Escalation. Without a Slack bot token, cases go to the desk's local agent inbox.
    slack_bot_token: SecretStr = SecretStr("")
    slack_signing_secret: SecretStr = SecretStr("")
    slack_channel: str = ""  # where new cases are posted, e.g. C0123456789
    slack_api_url: str = "https://slack.com/api/"
    # Who may act on cards: "U123:Anna=lead,U456:Bram=agent" (Slack user ids).
    agents: str = ""
    show_customer_names: bool = False  # cards show pseudonymous ids unless this is set
    agent_reply_minutes: int = 15  # what the customer is told about waiting for a person
    # An approved WhatsApp template (name) inviting the customer back when an agent decides
    # more than 24 hours after their last message; see README, WhatsApp.
    whatsapp_update_template: str = ""

    # The CX dashboard (/dashboard). Without a token it answers only on loopback, like the
    # inbox in the embedded set-up; with one, every API call must carry it as a bearer token.
    dashboard_token: SecretStr = SecretStr("")

    # After CSAT and CES, NPS is asked in this share of cases (a stable sample by case).
    nps_percent: int = Field(default=25, ge=0, le=100)

    @model_validator(mode="after")
    def _shop_configured(self) -> Settings:
        if self.shop == "shopify":
            if not (self.shopify_store_domain or self.shopify_api_url):
                raise ValueError("HERSTEL_SHOP=shopify needs HERSTEL_SHOPIFY_STORE_DOMAIN")
            if not self.shopify_access_token.get_secret_value():
                raise ValueError("HERSTEL_SHOP=shopify needs HERSTEL_SHOPIFY_ACCESS_TOKEN")
        return self

    @property
    def shopify_endpoint(self) -> str:
        base = (self.shopify_api_url or f"https://{self.shopify_store_domain}").rstrip("/")
        return f"{base}/admin/api/{self.shopify_api_version}/graphql.json"

    def sqlite_url(self, name: str) -> str:
        return f"sqlite+aiosqlite:///{self.var_dir / name}"

    @property
    def journey_db_url(self) -> str:
        return self.database_url or self.sqlite_url("herstel.db")

    @property
    def shop_db_url(self) -> str:
        return self.shop_database_url or self.sqlite_url("demo-shop.db")
