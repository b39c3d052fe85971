"""While a person owns the conversation the bot stays silent: every customer message goes
to that person's thread, and nothing else is predicted. And when an agent's decision waits
for the customer to write back (WhatsApp's 24-hour window had closed), whatever they write
is first answered with that decision.

A policy rather than rules: rules would need one per intent (and nlu_fallback), and a
forgotten one would let the bot talk over the agent.
"""

from __future__ import annotations

from typing import Any

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

SLOT = "agent_active"
FORWARD = "action_forward_to_agent"
WAITING = "outcome_waiting"
TELL_OUTCOME = "action_tell_agent_outcome"
EXTERNAL_PREFIX = "EXTERNAL_"  # the agent's own events (decided, message, hand back)


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False
)
class TakeoverPolicy(Policy):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # Above RulePolicy (6): while an agent has the conversation nothing else may answer.
        return {"priority": 7}

    def train(self, training_trackers: list, domain: Domain, **kwargs: Any) -> Resource:
        return self._resource

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        scores = self._default_predictions(domain)
        previous = tracker.latest_action_name
        if previous == FORWARD:
            # The message went to the agent, or (the case closed meanwhile, agent_active now
            # false) the bot said it is back and asked what it can do: the turn ends here.
            scores[domain.index_for_action(ACTION_LISTEN_NAME)] = 1.0
            return self._prediction(scores)
        message = tracker.latest_message
        intent = (message.intent.get("name") if message else None) or ""
        customer_wrote = previous == ACTION_LISTEN_NAME and not intent.startswith(EXTERNAL_PREFIX)
        if tracker.get_slot(WAITING) and customer_wrote:
            scores[domain.index_for_action(TELL_OUTCOME)] = 1.0  # the decision, first
            return self._prediction(scores)
        if previous == TELL_OUTCOME and not intent.startswith(EXTERNAL_PREFIX):
            scores[domain.index_for_action(ACTION_LISTEN_NAME)] = 1.0  # it ends the turn
            return self._prediction(scores)
        if not tracker.get_slot(SLOT) or intent.startswith(EXTERNAL_PREFIX):
            return self._prediction(scores)  # rules answer the agent's own events
        action = FORWARD if previous == ACTION_LISTEN_NAME else ACTION_LISTEN_NAME
        scores[domain.index_for_action(action)] = 1.0
        return self._prediction(scores)
