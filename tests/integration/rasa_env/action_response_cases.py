"""Run by Rasa's Python: prints, per response, what plain jsonschema and the installed check
say (JSON), and whether importing our components installed the check."""

import json

import jsonschema
from rasa.core.actions.action import RemoteAction

import bot.components  # noqa: F401  (imported as Rasa imports it: installs the check)
from bot import action_response_check

SLOT = {"event": "slot", "name": "order_number", "value": "100482", "timestamp": None}
REPLY = {"text": "Hello", "buttons": [], "template": "utter_greet", "response": "utter_greet"}
CASES = {
    "empty": {},
    "events and responses": {
        "events": [SLOT, {"event": "active_loop", "name": None}],
        "responses": [REPLY],
    },
    "unknown event": {"events": [{"event": "no_such_event"}]},
    "event without a name": {"events": [{"timestamp": 1.0}]},
    "events not a list": {"events": {"event": "slot"}},
    "responses not a list": {"responses": "Hello"},
}


def verdict(check, response) -> str:
    try:
        check(response)
        return "valid"
    except jsonschema.ValidationError as error:
        return f"invalid: {error.message}"


spec = RemoteAction.action_response_format_spec()
action = RemoteAction("action_check_parcel", None)
installed = RemoteAction._validate_action_result is action_response_check._validate_action_result
found: dict[str, object] = {"installed": installed}
for name, response in CASES.items():
    plain = verdict(lambda r: jsonschema.validate(r, spec), response)
    found[name] = {"jsonschema": plain, "ours": verdict(action._validate_action_result, response)}
print(json.dumps(found))
