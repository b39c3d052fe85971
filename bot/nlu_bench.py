"""NLU benchmark per language: `make bench-nlu` (runs in Rasa's environment).

Two measurements of the real pipeline (config.yml), Dutch and English in one model as in
production, each scored per language:

1. Cross-validation: trains on 4/5 of all training data and scores the held-out fifth;
   five folds, so every example is predicted once by a model that never saw it.
2. The held-out real-style set (tests/nlu_heldout): messages written separately in the way
   customers really write, never trained on; one model trained on all training data.

For each: per-intent precision, recall and F1, macro-F1, the worst intents, the most
confused pairs, and calibration (expected calibration error and a reliability table of the
top intent's confidence). A prediction is scored as production would act on it: below the
FallbackClassifier's threshold (or within its ambiguity margin) it is `nlu_fallback`, a miss
for every intent. The ranking under the fallback is kept, so the same predictions are also
scored at other thresholds (a sweep, printed and written, never the headline figure).

Options for quick iteration (the headline figures come from the full run):
  --folds K        train and score only the first K of the five folds (0: held-out set only)
  --config FILE    another pipeline file instead of config.yml
  --errors         print every miss with its confidence
  --seed N         another (still stratified) split into folds
  --folds-by-text  each example's fold from a hash of its text (and the seed): adding or
                   removing examples leaves every other example in its fold, so two versions
                   of the data compare example by example (the headline uses the stratified split)
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import random
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from rasa.core.agent import Agent
from rasa.model_training import train_nlu
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.shared.utils.io import read_config_file

from bot.nlu_scores import FALLBACK, Prediction, entity_scores, evaluate, worst

FOLDS = 5
LANGUAGES = ("en", "nl")
OUT = Path("var/bench/nlu.json")
HELD_OUT = Path("tests/nlu_heldout")
ENTITIES = ("order_number", "postcode", "email", "rating", "amount", "product", "time", "carrier")

Example = tuple[str, Message]  # (language or "shared", message)


def load_examples() -> tuple[list[Example], TrainingData]:
    examples: list[Example] = []
    shared = load_data("data/nlu/shared")
    for language in LANGUAGES:
        data = load_data(f"data/nlu/{language}")
        examples += [(language, m) for m in data.intent_examples]
    examples += [("shared", m) for m in shared.intent_examples]
    return examples, shared


def load_held_out() -> list[Example]:
    return [
        (language, m)
        for language in LANGUAGES
        for m in load_data(str(HELD_OUT / f"{language}.yml")).intent_examples
    ]


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


def folds_by_text(examples: list[Example], seed: int = 42) -> list[int]:
    """Each example's fold from a hash of its language, text and the seed: stable under edits."""
    return [
        int(hashlib.sha1(f"{seed}|{language}|{m.get('text')}".encode()).hexdigest(), 16) % FOLDS
        for language, m in examples
    ]


def train(config: str, train: list[Message], shared: TrainingData, workdir: Path, name: str) -> str:
    data = TrainingData(
        training_examples=train,
        regex_features=shared.regex_features,
        lookup_tables=shared.lookup_tables,
        entity_synonyms=shared.entity_synonyms,
    )
    path = workdir / f"{name}.yml"
    path.write_text(data.nlu_as_yaml(), encoding="utf-8")
    model = train_nlu(config, str(path), str(workdir), fixed_model_name=name)
    if model is None:
        sys.exit(f"training {name} failed")
    return model


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


def fallback_settings(config: str) -> tuple[float, float]:
    for component in read_config_file(config).get("pipeline", []):
        if component.get("name") == "FallbackClassifier":
            return float(component.get("threshold", 0.3)), float(
                component.get("ambiguity_threshold", 0.1)
            )
    return 0.0, 0.0


def report(title: str, result: dict, errors: bool) -> None:
    print(
        f"\n{title}: macro-F1 {result['macro_f1']:.3f}, accuracy {result['accuracy']:.3f},"
        f" fallback {result['fallback_rate']:.3f}, ECE {result['calibration']['ece']:.3f}"
    )
    print("  worst intents: " + ", ".join(f"{n} {f:.2f}" for n, f in worst(result)))
    print(f"  {'intent':<26} {'prec':>6} {'recall':>6} {'F1':>6} {'n':>4}")
    for intent, s in sorted(result["intents"].items(), key=lambda kv: kv[1]["f1"]):
        figures = f"{s['precision']:6.2f} {s['recall']:6.2f} {s['f1']:6.2f} {s['support']:4d}"
        print(f"  {intent:<26} {figures}")
    print("  most confused (gold -> predicted):")
    for c in result["confused"]:
        print(f"    {c['gold']} -> {c['predicted']}: {c['count']}")
    if result.get("entities"):
        print("  entities (exact spans):")
        for entity, e in result["entities"].items():
            print(
                f"    {entity:<14} precision {e['precision']:.2f} recall {e['recall']:.2f}"
                f" F1 {e['f1']:.2f} ({e['support']})"
            )
    calibration = result["calibration"]
    print(
        "  calibration of the top intent's confidence (share wrong at 0.8 or more: "
        f"{calibration['confident_wrong']:.3f}):"
    )
    for row in calibration["reliability"]:
        print(
            f"    {row['bin']}: {row['count']:4d} predictions, confidence"
            f" {row['confidence']:.2f}, right {row['accuracy']:.2f}"
        )
    print("  other fallback thresholds (same models; wrong answers vs. clarifications):")
    print(f"  {'threshold':>9} {'macro-F1':>8} {'fallback':>8} {'answered right':>14}")
    for row in result["sweep"]:
        print(
            f"  {row['threshold']:9.2f} {row['macro_f1']:8.3f} {row['fallback_rate']:8.3f}"
            f" {row['answered_precision']:14.3f}"
        )
    if errors:
        for miss in result["misses"]:
            best = ", ".join(f"{n} {c:.2f}" for n, c in miss["ranking"])
            print(f"    [{miss['gold']} -> {miss['predicted']}] {miss['text']!r} ({best})")


def scored(examples: list[Example], predictions: dict[int, Prediction], ambiguity: float) -> dict:
    """Per language: the scores of `predictions` (by index into `examples`)."""
    results = {}
    for language in LANGUAGES:
        indices = sorted(i for i in predictions if examples[i][0] == language)
        golds = [examples[i][1].get("intent") for i in indices]
        found = [predictions[i] for i in indices]
        result = evaluate(golds, found, ambiguity)
        result["misses"] = [
            {
                "text": examples[i][1].get("text"),
                "gold": gold,
                "predicted": p.intent,
                "ranking": p["ranking"][:2],
            }
            for gold, i, p in zip(golds, indices, found, strict=True)
            if p.intent != gold
        ]
        # Every ranking, so calibration can be re-scored offline (e.g. at another temperature).
        result["rankings"] = [[gold, p["ranking"]] for gold, p in zip(golds, found, strict=True)]
        results[language] = result
    return results


def cross_validate(args: argparse.Namespace, workdir: Path, ambiguity: float) -> dict:
    examples, shared = load_examples()
    fold = (folds_by_text if args.folds_by_text else folds_of)(examples, args.seed)
    predictions: dict[int, Prediction] = {}
    started = time.monotonic()
    for k in range(min(args.folds, FOLDS)):
        print(f"fold {k + 1}/{FOLDS}: training ({time.monotonic() - started:.0f}s so far)")
        training = [m for i, (_, m) in enumerate(examples) if fold[i] != k]
        test = [i for i in range(len(examples)) if fold[i] == k and examples[i][0] != "shared"]
        model = train(args.config, training, shared, workdir, f"fold{k}")
        texts = [examples[i][1].get("text") for i in test]
        for i, prediction in zip(test, asyncio.run(predict(model, texts)), strict=True):
            predictions[i] = prediction
    results = scored(examples, predictions, ambiguity)
    for language in LANGUAGES:
        held = sorted(i for i in predictions if examples[i][0] == language)
        results[language]["entities"] = entity_scores(
            [
                {(e["entity"], e["start"], e["end"]) for e in examples[i][1].get("entities") or []}
                for i in held
            ],
            [predictions[i]["entities"] for i in held],
            ENTITIES,
        )
    return results


def held_out(args: argparse.Namespace, workdir: Path, ambiguity: float) -> dict:
    examples, shared = load_examples()
    print("held-out set: training on all training data")
    model = train(args.config, [m for _, m in examples], shared, workdir, "all")
    test = load_held_out()
    found = asyncio.run(predict(model, [m.get("text") for _, m in test]))
    return scored(test, dict(enumerate(found)), ambiguity)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=FOLDS, help="run only the first K folds")
    parser.add_argument("--config", default="config.yml")
    parser.add_argument("--errors", action="store_true", help="print every miss")
    parser.add_argument("--seed", type=int, default=42, help="another split into folds")
    parser.add_argument("--folds-by-text", action="store_true", help="folds stable under edits")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    threshold, ambiguity = fallback_settings(args.config)
    started = time.monotonic()
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        if args.folds > 0:
            results["cross_validation"] = cross_validate(args, Path(tmp), ambiguity)
        results["held_out"] = held_out(args, Path(tmp), ambiguity)
    for name, per_language in results.items():
        for language, result in per_language.items():
            report(f"{name.replace('_', '-')}, {language}", result, args.errors)
    results["settings"] = {
        "config": args.config,
        "folds": f"{min(args.folds, FOLDS)} of {FOLDS}",
        "seed": args.seed,
        "split": "by text" if args.folds_by_text else "stratified",
        "fallback_threshold": threshold,
        "ambiguity_threshold": ambiguity,
        "seconds": round(time.monotonic() - started),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"\nwritten to {args.out}; took {time.monotonic() - started:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
