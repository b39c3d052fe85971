"""NLU cross-validation per language: `make bench-nlu` (runs in Rasa's environment).

Trains the real pipeline (config.yml) on 4/5 of all data, Dutch and English together as in
production, and scores the held-out fifth per language; five folds, so every example is
predicted once by a model that never saw it. Prints per-intent precision, recall and F1,
macro-F1 and the most confused pairs per language, and writes the same as JSON.

A prediction is scored as production would act on it: below the FallbackClassifier's
threshold (or within its ambiguity margin) it is `nlu_fallback`, a miss for every intent.
Because the ranking under the fallback is kept, the same predictions are also scored at
other thresholds (a sweep, printed and written, never the headline figure).

Options for quick iteration (the headline figures come from the full run):
  --folds K      train and score only the first K of the five folds
  --config FILE  another pipeline file instead of config.yml
  --errors       print every miss with its confidence
  --seed N       another (still stratified) split into folds: any change to the data also
                 reshuffles the folds, so figures move by a few thousandths between splits
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

from rasa.core.agent import Agent
from rasa.model_training import train_nlu
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.shared.utils.io import read_config_file

FOLDS = 5
LANGUAGES = ("en", "nl")
OUT = Path("var/bench/nlu.json")
FALLBACK = "nlu_fallback"
ENTITIES = ("order_number", "postcode", "email", "rating", "amount", "product", "time", "carrier")
SWEEP = (0.0, 0.1, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6)

Example = tuple[str, Message]  # (language or "shared", message)


def load_examples() -> tuple[list[Example], TrainingData]:
    examples: list[Example] = []
    shared = load_data("data/nlu/shared")
    for language in LANGUAGES:
        data = load_data(f"data/nlu/{language}")
        examples += [(language, m) for m in data.intent_examples]
    examples += [("shared", m) for m in shared.intent_examples]
    return examples, shared


def folds_of(examples: list[Example], seed: int = 42) -> list[int]:
    """Stratified by intent and language, with a fixed seed."""
    by_group: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, (language, message) in enumerate(examples):
        by_group[(language, message.get("intent"))].append(index)
    fold = [0] * len(examples)
    rng = random.Random(seed)
    for indices in by_group.values():
        rng.shuffle(indices)
        for position, index in enumerate(indices):
            fold[index] = position % FOLDS
    return fold


def train_fold(
    config: str, train: list[Message], shared: TrainingData, workdir: Path, k: int
) -> str:
    data = TrainingData(
        training_examples=train,
        regex_features=shared.regex_features,
        lookup_tables=shared.lookup_tables,
        entity_synonyms=shared.entity_synonyms,
    )
    path = workdir / f"fold{k}.yml"
    path.write_text(data.nlu_as_yaml(), encoding="utf-8")
    model = train_nlu(config, str(path), str(workdir), fixed_model_name=f"fold{k}")
    if model is None:
        sys.exit(f"training fold {k} failed")
    return model


class Prediction(dict):
    """What the model said: the intent it answered and the ranking beneath any fallback."""

    @property
    def intent(self) -> str:
        return self["intent"]

    def at(self, threshold: float, ambiguity: float) -> str:
        """The intent the FallbackClassifier would give at another threshold."""
        ranking = self["ranking"]
        if not ranking:
            return FALLBACK
        top = ranking[0][1]
        second = ranking[1][1] if len(ranking) > 1 else 0.0
        if top < threshold or top - second < ambiguity:
            return FALLBACK
        return ranking[0][0]


async def predict(model: str, texts: list[str]) -> list[Prediction]:
    agent = Agent.load(model)
    predictions = []
    for text in texts:
        parsed = await agent.parse_message(text)
        ranking = [
            (r["name"], float(r["confidence"]))
            for r in parsed.get("intent_ranking", [])
            if r["name"] != FALLBACK
        ]
        entities = {
            (e["entity"], e["start"], e["end"])
            for e in parsed.get("entities", [])
            if e["entity"] in ENTITIES
        }
        predictions.append(
            Prediction(intent=parsed["intent"]["name"], ranking=ranking, entities=entities)
        )
    return predictions


def entity_scores(golds: list[set], predicted: list[set]) -> dict[str, dict[str, float]]:
    """Exact-span precision, recall and F1 per entity type over the held-out messages."""
    result = {}
    for entity in ENTITIES:
        tp = fp = fn = 0
        for gold, found in zip(golds, predicted, strict=True):
            gold = {g for g in gold if g[0] == entity}
            found = {f for f in found if f[0] == entity}
            tp, fp, fn = tp + len(gold & found), fp + len(found - gold), fn + len(gold - found)
        if tp + fn == 0:
            continue
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn)
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        result[entity] = {"precision": precision, "recall": recall, "f1": f1, "support": tp + fn}
    return result


def fallback_settings(config: str) -> tuple[float, float]:
    for component in read_config_file(config).get("pipeline", []):
        if component.get("name") == "FallbackClassifier":
            return float(component.get("threshold", 0.3)), float(
                component.get("ambiguity_threshold", 0.1)
            )
    return 0.0, 0.0


def scores(pairs: list[tuple[str, str]]) -> dict[str, object]:
    pairs = list(pairs)
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
        "fallback_rate": sum(p == FALLBACK for _, p in pairs) / len(pairs),
        "intents": per_intent,
        "confused": [{"gold": g, "predicted": p, "count": n} for (g, p), n in confused],
    }


def sweep(golds: list[str], predictions: Iterable[Prediction], ambiguity: float) -> list[dict]:
    """Macro-F1 and the precision of the answers the bot acts on, per fallback threshold."""
    predictions = list(predictions)
    rows = []
    for threshold in SWEEP:
        pairs = [(g, p.at(threshold, ambiguity)) for g, p in zip(golds, predictions, strict=True)]
        answered = [(g, p) for g, p in pairs if p != FALLBACK]
        result = scores(pairs)
        rows.append(
            {
                "threshold": threshold,
                "macro_f1": result["macro_f1"],
                "accuracy": result["accuracy"],
                "fallback_rate": result["fallback_rate"],
                "answered_precision": (
                    sum(g == p for g, p in answered) / len(answered) if answered else 0.0
                ),
            }
        )
    return rows


def report(language: str, result: dict) -> None:
    print(
        f"\n{language}: macro-F1 {result['macro_f1']:.3f}, accuracy {result['accuracy']:.3f},"
        f" fallback {result['fallback_rate']:.3f}"
    )
    print(f"  {'intent':<26} {'prec':>6} {'recall':>6} {'F1':>6} {'n':>4}")
    for intent, s in sorted(result["intents"].items(), key=lambda kv: kv[1]["f1"]):
        figures = f"{s['precision']:6.2f} {s['recall']:6.2f} {s['f1']:6.2f} {s['support']:4d}"
        print(f"  {intent:<26} {figures}")
    print("  most confused (gold -> predicted):")
    for c in result["confused"]:
        print(f"    {c['gold']} -> {c['predicted']}: {c['count']}")
    print("  entities (exact spans):")
    for entity, e in result["entities"].items():
        print(
            f"    {entity:<14} precision {e['precision']:.2f} recall {e['recall']:.2f}"
            f" F1 {e['f1']:.2f} ({e['support']})"
        )
    print("  other fallback thresholds (same models; wrong answers vs. clarifications):")
    print(f"  {'threshold':>9} {'macro-F1':>8} {'fallback':>8} {'answered right':>14}")
    for row in result["sweep"]:
        print(
            f"  {row['threshold']:9.2f} {row['macro_f1']:8.3f} {row['fallback_rate']:8.3f}"
            f" {row['answered_precision']:14.3f}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=FOLDS, help="run only the first K folds")
    parser.add_argument("--config", default="config.yml")
    parser.add_argument("--errors", action="store_true", help="print every miss")
    parser.add_argument("--seed", type=int, default=42, help="another split into folds")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    threshold, ambiguity = fallback_settings(args.config)

    examples, shared = load_examples()
    fold = folds_of(examples, args.seed)
    predictions: dict[int, Prediction] = {}
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(min(args.folds, FOLDS)):
            print(
                f"fold {k + 1}/{FOLDS}: training ({time.monotonic() - started:.0f}s so far)",
                flush=True,
            )
            train = [m for i, (_, m) in enumerate(examples) if fold[i] != k]
            test = [i for i in range(len(examples)) if fold[i] == k and examples[i][0] != "shared"]
            model = train_fold(args.config, train, shared, Path(tmp), k)
            texts = [examples[i][1].get("text") for i in test]
            for i, prediction in zip(test, asyncio.run(predict(model, texts)), strict=True):
                predictions[i] = prediction
    results = {}
    for language in LANGUAGES:
        held_out = sorted(i for i in predictions if examples[i][0] == language)
        golds = [examples[i][1].get("intent") for i in held_out]
        results[language] = scores(
            (g, predictions[i].intent) for g, i in zip(golds, held_out, strict=True)
        )
        results[language]["sweep"] = sweep(golds, (predictions[i] for i in held_out), ambiguity)
        results[language]["entities"] = entity_scores(
            [
                {(e["entity"], e["start"], e["end"]) for e in examples[i][1].get("entities") or []}
                for i in held_out
            ],
            [predictions[i]["entities"] for i in held_out],
        )
        results[language]["misses"] = [
            {
                "text": examples[i][1].get("text"),
                "gold": g,
                "predicted": predictions[i].intent,
                "ranking": predictions[i]["ranking"][:2],
            }
            for g, i in zip(golds, held_out, strict=True)
            if predictions[i].intent != g
        ]
        report(language, results[language])
        if args.errors:
            for miss in results[language]["misses"]:
                best = ", ".join(f"{n} {c:.2f}" for n, c in miss["ranking"])
                print(f"    [{miss['gold']} -> {miss['predicted']}] {miss['text']!r} ({best})")
    results["settings"] = {
        "config": args.config,
        "folds": f"{min(args.folds, FOLDS)} of {FOLDS}",
        "seed": args.seed,
        "fallback_threshold": threshold,
        "ambiguity_threshold": ambiguity,
        "seconds": round(time.monotonic() - started),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    print(
        f"\nwritten to {args.out}; {min(args.folds, FOLDS)} folds took "
        f"{time.monotonic() - started:.0f}s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
