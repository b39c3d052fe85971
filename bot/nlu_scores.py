"""Scores for NLU predictions: per-intent F1, calibration, and the fallback-threshold sweep.

Pure functions over (gold, prediction) pairs, so `make bench-nlu` and the unit tests share
them and nothing here needs Rasa.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

FALLBACK = "nlu_fallback"
SWEEP = (0.0, 0.1, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7)
BINS = 10


class Prediction(dict):
    """What the model said: the intent it answered and the ranking beneath any fallback."""

    @property
    def intent(self) -> str:
        return self["intent"]

    @property
    def top(self) -> tuple[str, float]:
        """The likeliest real intent and its confidence, whether or not the bot acts on it."""
        ranking = self["ranking"]
        return ranking[0] if ranking else (FALLBACK, 0.0)

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


def scores(pairs: Iterable[tuple[str, str]]) -> dict[str, object]:
    """Per-intent precision, recall and F1 (a fallback is a miss), macro-F1, top confusions."""
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
        support = tp + fn
        per_intent[intent] = {"precision": precision, "recall": recall, "f1": f1}
        per_intent[intent]["support"] = support
    confused = Counter((g, p) for g, p in pairs if g != p).most_common(8)
    return {
        "macro_f1": sum(v["f1"] for v in per_intent.values()) / len(per_intent),
        "accuracy": sum(g == p for g, p in pairs) / len(pairs),
        "fallback_rate": sum(p == FALLBACK for _, p in pairs) / len(pairs),
        "intents": per_intent,
        "confused": [{"gold": g, "predicted": p, "count": n} for (g, p), n in confused],
    }


def worst(result: dict, count: int = 3) -> list[tuple[str, float]]:
    intents = result["intents"].items()
    return [(name, s["f1"]) for name, s in sorted(intents, key=lambda kv: kv[1]["f1"])[:count]]


def calibration(golds: Sequence[str], predictions: Sequence[Prediction]) -> dict[str, object]:
    """Expected calibration error of the top intent's confidence, and the reliability table.

    Ten equal-width bins of confidence; ECE is the bins' gap between mean confidence and
    accuracy, weighted by how many predictions fall in each. A well-calibrated model that
    says 0.9 is right nine times in ten: then a threshold on confidence means something.
    """
    bins: list[list[tuple[float, bool]]] = [[] for _ in range(BINS)]
    for gold, prediction in zip(golds, predictions, strict=True):
        name, confidence = prediction.top
        bins[min(int(confidence * BINS), BINS - 1)].append((confidence, name == gold))
    total = sum(len(b) for b in bins) or 1
    table, ece = [], 0.0
    for index, members in enumerate(bins):
        if not members:
            continue
        confidence = sum(c for c, _ in members) / len(members)
        accuracy = sum(right for _, right in members) / len(members)
        ece += len(members) / total * abs(confidence - accuracy)
        table.append(
            {
                "bin": f"{index / BINS:.1f}-{(index + 1) / BINS:.1f}",
                "count": len(members),
                "confidence": confidence,
                "accuracy": accuracy,
            }
        )
    confident_wrong = sum(
        1
        for gold, p in zip(golds, predictions, strict=True)
        if p.top[1] >= 0.8 and p.top[0] != gold
    )
    return {"ece": ece, "reliability": table, "confident_wrong": confident_wrong / total}


def sweep(golds: Sequence[str], predictions: Sequence[Prediction], ambiguity: float) -> list[dict]:
    """Macro-F1 and the precision of the answers the bot acts on, per fallback threshold."""
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


def entity_scores(
    golds: Sequence[set], predicted: Sequence[set], entities: Sequence[str]
) -> dict[str, dict[str, float]]:
    """Exact-span precision, recall and F1 per entity type over the held-out messages."""
    result = {}
    for entity in entities:
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


def evaluate(golds: Sequence[str], predictions: Sequence[Prediction], ambiguity: float) -> dict:
    """Everything the benchmark reports for one language of one set."""
    result = scores(zip(golds, (p.intent for p in predictions), strict=True))
    result["calibration"] = calibration(golds, predictions)
    result["sweep"] = sweep(golds, predictions, ambiguity)
    return result
