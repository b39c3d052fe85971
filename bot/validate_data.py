"""`rasa data validate`, strict: any warning fails, except responses that only actions send
and the EXTERNAL_ intents that only the desk triggers.

Rasa counts a response as unused unless a story or rule names it; ours that custom actions
send are listed under `actions:` in bot/domain/core.yml and are exempt from that one check.
"""

from __future__ import annotations

import re
import sys
import warnings

from rasa.shared.importers.importer import TrainingDataImporter
from rasa.validator import Validator

# Rasa 3.6 raises this for every domain with slots; it is not about our data.
_ALWAYS_RAISED = "Slot auto-fill has been removed in 3.0"
_UNUSED = re.compile(r"The utterance '(\w+)' is not used in any story or rule")
# Intents the desk triggers through Rasa's HTTP API: no customer ever types them.
_EXTERNAL = re.compile(r"The intent 'EXTERNAL_\w+' is listed in the domain file, but is not found")


def main() -> int:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        importer = TrainingDataImporter.load_from_config("config.yml", "bot/domain", ["data"])
        validator = Validator.from_importer(importer)
        sent_by_actions = set(importer.get_domain().user_actions)
        checks = [
            validator.verify_domain_validity(),
            validator.verify_actions_in_stories_rules(),
            validator.verify_forms_in_stories_rules(),
            validator.verify_form_slots(),
            validator.verify_slot_mappings(),
            validator.verify_nlu(ignore_warnings=True),
            validator.verify_story_structure(ignore_warnings=False, max_history=4),
        ]
    problems = []
    for warning in caught:
        if not issubclass(warning.category, UserWarning):
            continue
        text = str(warning.message)
        if text.startswith(_ALWAYS_RAISED) or _EXTERNAL.search(text):
            continue
        unused = _UNUSED.search(text)
        if unused and unused.group(1) in sent_by_actions:
            continue
        problems.append(text)
    for text in problems:
        print(f"warning: {text}", file=sys.stderr)
    if problems or not all(checks):
        print("Rasa data validation failed.", file=sys.stderr)
        return 1
    print("Rasa data validation passed: domain, NLU data, stories and rules agree.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
