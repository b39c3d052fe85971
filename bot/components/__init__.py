"""Custom Rasa graph components."""

from bot import action_response_check, turn_guard

# Every Rasa process that loads our model imports this package before it runs an action.
action_response_check.install()
turn_guard.install()
