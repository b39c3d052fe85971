"""The local agent inbox: cards live in the store and the desk's inbox page shows them."""

from __future__ import annotations

from escalation.model import Case, Message


class InboxCards:
    """Nothing to post: the inbox page reads the store. Used when no Slack token is set."""

    async def post_case(self, channel: str, case: Case) -> tuple[str, str]:
        return "inbox", case.file.case_id

    async def update_case(self, case: Case) -> None:
        return None

    async def post_thread(self, case: Case, message: Message) -> None:
        return None

    async def open_write_modal(self, trigger_id: str, case: Case) -> None:
        return None

    async def open_close_modal(self, trigger_id: str, case: Case) -> None:
        return None

    async def post_notice(self, channel: str, text: str) -> None:
        return None  # the inbox has no channel to post in

    async def tell_agent(self, case: Case, user_id: str, text: str) -> None:
        return None  # the inbox page shows the answer to the request itself
