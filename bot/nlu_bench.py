"""NLU cross-validation per language: `make bench-nlu` (runs in Rasa's environment).

Trains the real pipeline (config.yml) on 4/5 of all data, Dutch and English together as in
production, and scores the held-out fifth per language; five folds, so every example is
predicted once by a model that never saw it. Prints per-intent precision, recall and F1,
macro-F1 and the most confused pairs per language, and writes the same as JSON.
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

from rasa.core.agent import Agent
from rasa.model_training import train_nlu
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

FOLDS = 5
LANGUAGES = ("en", "nl")
OUT = Path("var/bench/nlu.json")

Example = tuple[str, Message]  # (language or "shared", message)


def load_examples() -> tuple[list[Example], TrainingData]:
    examples: list[Example] = []
    shared = load_data("data/nlu/shared")
    for language in LANGUAGES:
        data = load_data(f"data/nlu/{language}")
        examples += [(language, m) for m in data.intent_examples]
    examples += [("shared", m) for m in shared.intent_examples]
    return examples, shared


def folds_of(examples: list[Example]) -> list[int]:
    """Stratified by intent and language, with a fixed seed."""
    by_group: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, (language, message) in enumerate(examples):
        by_group[(language, message.get("intent"))].append(index)
    fold = [0] * len(examples)
    rng = random.Random(42)
    for indices in by_group.values():
        rng.shuffle(indices)
        for position, index in enumerate(indices):
            fold[index] = position % FOLDS
    return fold


def train_fold(train: list[Message], shared: TrainingData, workdir: Path, k: int) -> str:
    data = TrainingData(
        training_examples=train,
        regex_features=shared.regex_features,
        lookup_tables=shared.lookup_tables,
        entity_synonyms=shared.entity_synonyms,
    )
    path = workdir / f"fold{k}.yml"
    path.write_text(data.nlu_as_yaml(), encoding="utf-8")
    model = train_nlu("config.yml", str(path), str(workdir), fixed_model_name=f"fold{k}")
    if model is None:
        sys.exit(f"training fold {k} failed")
    return model


async def predict(model: str, texts: list[str]) -> list[str]:
    agent = Agent.load(model)
    return [(await agent.parse_message(t))["intent"]["name"] for t in texts]


def scores(pairs: list[tuple[str, str]]) -> dict[str, object]:
    intents = sorted({gold for gold, _ in pairs})
    per_intent = {}
    for intent in intents:
        tp = sum(1 for g, p in pairs if g == intent and p == intent)
        fp = sum(1 for g, p in pairs if g != intent and p == intent)
        fn = sum(1 for g, p in pairs if g == intent and p != intent)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_intent[intent] = {
            "precision": precision,
            "recall": recall,
            "f1": f1,
            "support": tp + fn,
        }
    confused = Counter((g, p) for g, p in pairs if g != p).most_common(8)
    return {
        "macro_f1": sum(v["f1"] for v in per_intent.values()) / len(per_intent),
        "accuracy": sum(g == p for g, p in pairs) / len(pairs),
        "intents": per_intent,
        "confused": [{"gold": g, "predicted": p, "count": n} for (g, p), n in confused],
    }


def report(language: str, result: dict) -> None:
    print(f"\n{language}: macro-F1 {result['macro_f1']:.3f}, accuracy {result['accuracy']:.3f}")
    print(f"  {'intent':<26} {'prec':>6} {'recall':>6} {'F1':>6} {'n':>4}")
    for intent, s in sorted(result["intents"].items(), key=lambda kv: kv[1]["f1"]):
        figures = f"{s['precision']:6.2f} {s['recall']:6.2f} {s['f1']:6.2f} {s['support']:4d}"
        print(f"  {intent:<26} {figures}")
    print("  most confused (gold -> predicted):")
    for c in result["confused"]:
        print(f"    {c['gold']} -> {c['predicted']}: {c['count']}")


def main() -> int:
    examples, shared = load_examples()
    fold = folds_of(examples)
    predictions: dict[int, str] = {}
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(FOLDS):
            print(
                f"fold {k + 1}/{FOLDS}: training ({time.monotonic() - started:.0f}s so far)",
                flush=True,
            )
            train = [m for i, (_, m) in enumerate(examples) if fold[i] != k]
            test = [i for i in range(len(examples)) if fold[i] == k and examples[i][0] != "shared"]
            model = train_fold(train, shared, Path(tmp), k)
            texts = [examples[i][1].get("text") for i in test]
            for i, intent in zip(test, asyncio.run(predict(model, texts)), strict=True):
                predictions[i] = intent
    results = {}
    for language in LANGUAGES:
        pairs = [
            (examples[i][1].get("intent"), p)
            for i, p in predictions.items()
            if examples[i][0] == language
        ]
        results[language] = scores(pairs)
        report(language, results[language])
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(f"\nwritten to {OUT}; {FOLDS} folds took {time.monotonic() - started:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
