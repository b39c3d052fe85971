"""Check the action server's responses against Rasa's schema without re-checking the schema.

Rasa 3.6 validates every custom action's response with `jsonschema.validate`, which first
checks the schema itself against the JSON Schema 2020-12 metaschema: about 30 ms of CPU per
action call on our machine, more than the rest of a turn. The schema is Rasa's constant, so
we check it once and keep the validator. A response that fails still goes through Rasa's own
check, so its error and message are Rasa's.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jsonschema import validators
from jsonschema.protocols import Validator
from rasa.core.actions.action import RemoteAction

_rasa_check = RemoteAction._validate_action_result


@cache
def _validator() -> Validator:
    spec = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(spec)
    cls.check_schema(spec)
    return cls(spec)


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    if _validator().is_valid(result):
        return True
    return _rasa_check(self, result)  # raises Rasa's ValidationError


def install() -> None:
    """Idempotent; called when Rasa imports our components."""
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
