"""Intent classifier whose confidence means something, and that hears a second complaint.

Rasa's LogisticRegressionClassifier fits raw n-gram counts: a long story has hundreds of
character n-grams, so its scores grow with its length and it comes out at 0.9-1.0 for
whichever intent its many words lean to, right or wrong. Here each featurizer's counts of
a message are damped (log 1 + count) and scaled to unit length before the logistic
regression, so a long message weighs as much as a short one and its probability stays a
probability: the fallback threshold in config.yml is compared with a confidence that
`make bench-nlu` checks for calibration on messages the model never saw.

A message may carry two complaints ("it came late and the box was crushed"). The message
is cut into clauses (at punctuation and words like "and", "but", "en", "maar") and each
clause is scored with the same weights from its tokens' features; a clause that is
clearly another complaint than the message's intent is reported as an `also_complaint`
entity whose value is the complaint type (late_delivery, damaged_product, ...).
"""

from __future__ import annotations

import logging
import re
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.featurizers.featurizer import Featurizer
from rasa.shared.nlu.constants import (
    ENTITIES,
    FEATURE_TYPE_SENTENCE,
    FEATURE_TYPE_SEQUENCE,
    INTENT,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import csr_matrix, hstack, vstack
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import normalize

log = logging.getLogger(__name__)

COMPLAINT_PREFIX = "complain_"
NOT_A_TYPE = {"complain_other"}  # too vague to count as a second, separate complaint
# Where one clause ends and the next begins: punctuation, and joining words in en and nl
# ("also" and "ook" stay in their clause: "and it's also broken", "er ontbrak ook iets").
_JOINERS = {"and", "plus", "but", "then", "en", "maar", "daarna", "bovendien"}
_BREAK = re.compile(r"[.,;!?\n]|\s-\s|&|\+")
_MIN_CLAUSE_TOKENS = 3
_MAX_CLAUSES = 6


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class CalibratedIntentClassifier(IntentClassifier, GraphComponent):
    """Logistic regression on damped, length-normalised n-gram features."""

    @classmethod
    def required_components(cls) -> list[type]:
        return [Featurizer]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "C": 100.0,  # inverse regularisation on unit-length rows (measured: config.yml)
            "max_iter": 2000,
            "ranking_length": 10,
            "clause_confidence": 0.7,  # a clause this sure of another complaint is a second one
        }

    def __init__(
        self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self._storage = model_storage
        self._resource = resource
        self.classes: list[str] = []
        self.weights = np.zeros((0, 0))  # one row of class weights per feature column
        self.intercept = np.zeros(0)

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CalibratedIntentClassifier:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if m.get(INTENT)]
        if not examples:
            return self._resource
        features = _stacked([[sentence for _, sentence in _blocks(m)] for m in examples])
        model = LogisticRegression(
            C=self.config["C"],
            max_iter=self.config["max_iter"],
            class_weight="balanced",
            solver="lbfgs",
            random_state=42,
        )
        model.fit(features, [m.get(INTENT) for m in examples])
        self.classes = [str(c) for c in model.classes_]
        self.weights = np.ascontiguousarray(model.coef_.T)
        self.intercept = model.intercept_
        self.persist()
        return self._resource

    def persist(self) -> None:
        with self._storage.write_to(self._resource) as directory:
            np.savez(
                directory / "weights.npz",
                classes=np.array(self.classes),
                weights=self.weights,
                intercept=self.intercept,
            )

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> CalibratedIntentClassifier:
        component = cls(config, model_storage, resource)
        try:
            with model_storage.read_from(resource) as directory:
                weights = np.load(directory / "weights.npz", allow_pickle=False)
                component.classes = [str(c) for c in weights["classes"]]
                component.weights = np.ascontiguousarray(weights["weights"])
                component.intercept = weights["intercept"]
        except ValueError:
            log.debug("no trained intent classifier in %s", resource.name)
        return component

    def probabilities(self, blocks: list[csr_matrix]) -> np.ndarray:
        """Intent probabilities for one row of features per featurizer (one message or clause).

        Each block is prepared as in training (damped, unit length) and multiplied with the
        weights of its non-zero columns only: a message has a few hundred of those among
        a vocabulary of many thousands, so a turn costs well under a millisecond.
        """
        scores = self.intercept.copy()
        offset = 0
        for block in blocks:
            row = csr_matrix(block)
            values = np.log1p(np.abs(row.data))
            norm = np.sqrt(values @ values)
            if norm > 0:
                scores += (values / norm) @ self.weights[offset + row.indices]
            offset += row.shape[1]
        scores -= scores.max()
        exp = np.exp(scores)
        return exp / exp.sum()

    def process(self, messages: list[Message]) -> list[Message]:
        if not self.classes:
            return messages
        for message in messages:
            blocks = [sentence for _, sentence in _blocks(message)]
            if not blocks:
                continue
            probabilities = self.probabilities(blocks)
            order = np.argsort(-probabilities)[: self.config["ranking_length"]]
            ranking = [
                {"name": self.classes[i], "confidence": float(probabilities[i])} for i in order
            ]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set("intent_ranking", ranking, add_to_output=True)
            self._add_second_complaint(message, ranking[0]["name"])
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def _add_second_complaint(self, message: Message, intent: str) -> None:
        if not intent.startswith(COMPLAINT_PREFIX) or intent in NOT_A_TYPE:
            return
        second = self.second_complaint(message, intent)
        if second is None:
            return
        text = message.get(TEXT) or ""
        entity = {
            "entity": "also_complaint",
            "value": second.removeprefix(COMPLAINT_PREFIX),
            "start": 0,
            "end": len(text),
            "confidence": 1.0,
            "extractor": self.__class__.__name__,
        }
        message.set(ENTITIES, [*message.get(ENTITIES, []), entity], add_to_output=True)

    def second_complaint(self, message: Message, intent: str) -> str | None:
        """Another complaint intent one clause of the message is clearly about, if any."""
        clauses = _clauses(message)
        if len(clauses) < 2:
            return None
        sequences = [csr_matrix(sequence) for sequence, _ in _blocks(message)]
        for clause in clauses:
            # A clause's features: the sum of its tokens' rows, block by block.
            blocks = [_summed(rows[clause]) for rows in sequences]
            probabilities = self.probabilities(blocks)
            best = int(np.argmax(probabilities))
            name = self.classes[best]
            if (
                name.startswith(COMPLAINT_PREFIX)
                and name not in NOT_A_TYPE
                and name != intent
                and probabilities[best] >= self.config["clause_confidence"]
            ):
                return name
        return None


def _blocks(message: Message) -> list[tuple[Any, Any]]:
    """(token rows, sentence row) of each sparse featurizer, ordered by featurizer."""
    found: dict[str, dict[str, Any]] = {}
    for features in message.features:
        if features.attribute == TEXT and features.is_sparse():
            found.setdefault(str(features.origin), {})[features.type] = features.features
    return [
        (kinds[FEATURE_TYPE_SEQUENCE], kinds[FEATURE_TYPE_SENTENCE])
        for _, kinds in sorted(found.items())
        if FEATURE_TYPE_SEQUENCE in kinds and FEATURE_TYPE_SENTENCE in kinds
    ]


def _summed(rows: csr_matrix) -> csr_matrix:
    """The rows added up into one, staying sparse (a dense row would span the vocabulary)."""
    summed = csr_matrix((rows.data, rows.indices, [0, rows.nnz]), shape=(1, rows.shape[1]))
    summed.sum_duplicates()
    return summed


def _stacked(rows: list[list[csr_matrix]]) -> csr_matrix:
    """One row per message: each featurizer's damped counts scaled to unit length, side by
    side, so a long message weighs as much as a short one and no featurizer drowns another
    (character n-grams outnumber words many times)."""
    prepared = []
    for block in zip(*rows, strict=True):
        damped = csr_matrix(vstack(block), dtype=np.float64)
        damped.data = np.log1p(np.abs(damped.data))
        prepared.append(normalize(damped, norm="l2", copy=False))
    return csr_matrix(hstack(prepared))


def _clauses(message: Message) -> list[list[int]]:
    """Token indices per clause, for at most a handful of clauses of a few words or more."""
    text = message.get(TEXT) or ""
    tokens = message.get("text_tokens") or []
    clauses: list[list[int]] = [[]]
    previous_end = 0
    for index, token in enumerate(tokens):
        between = text[previous_end : token.start]
        word = (token.text or "").lower()
        if clauses[-1] and (_BREAK.search(between) or word in _JOINERS):
            clauses.append([])
        if word not in _JOINERS:
            clauses[-1].append(index)
        previous_end = token.end
    long_enough = [c for c in clauses if len(c) >= _MIN_CLAUSE_TOKENS]
    return long_enough[:_MAX_CLAUSES]
