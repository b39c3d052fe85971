"""Custom Rasa graph components."""

from bot import action_response_check

# Every Rasa process that loads our model imports this package before it runs an action.
action_response_check.install()
