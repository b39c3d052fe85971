"""Run by Rasa's Python: trains a small pipeline with our intent classifier, loads it as a
server would, and prints (JSON) what it makes of a few messages."""

import asyncio
import json
import sys
import tempfile
from pathlib import Path

from rasa.core.agent import Agent
from rasa.model_training import train_nlu

CONFIG = """
recipe: default.v1
language: en
assistant_id: classifier-test
pipeline:
  - name: WhitespaceTokenizer
  - name: CountVectorsFeaturizer
  - name: CountVectorsFeaturizer
    analyzer: char_wb
    min_ngram: 2
    max_ngram: 4
  - name: bot.components.intent_classifier.CalibratedIntentClassifier
    C: 30
"""

LATE = [
    "my parcel is late",
    "the delivery is three days late",
    "it still hasn't arrived",
    "the courier never came today",
    "i waited at home all day and nothing came",
    "my order was due yesterday and it's not here",
    "still waiting for my package",
    "the delivery keeps getting postponed",
    "it should have arrived on monday",
    "where is my order it is very late",
]
DAMAGED = [
    "the vase arrived broken",
    "the box was crushed and the lamp is bent",
    "the screen is cracked",
    "the bottle leaked everywhere",
    "the mug has a chip in it",
    "the table is scratched",
    "glass everywhere in the box",
    "the chair leg snapped off",
    "the frame arrived smashed",
    "the kettle is dented",
]
GREET = ["hi", "hello", "good morning", "hey there", "hiya"]
MESSAGES = {
    "two": "my parcel came three days late and the vase was broken",
    "one": "my parcel came three days late",
    "long": " ".join(["the delivery is three days late"] * 12),
}


def data() -> str:
    blocks = {"complain_late_delivery": LATE, "complain_damaged_product": DAMAGED, "greet": GREET}
    lines = ['version: "3.1"', "nlu:"]
    for intent, examples in blocks.items():
        lines += [f"- intent: {intent}", "  examples: |"] + [f"    - {e}" for e in examples]
    return "\n".join(lines) + "\n"


async def parse(model: str) -> dict:
    agent = Agent.load(model)
    found = {}
    for name, text in MESSAGES.items():
        parsed = await agent.parse_message(text)
        found[name] = {
            "intent": parsed["intent"]["name"],
            "confidence": parsed["intent"]["confidence"],
            "also": [e["value"] for e in parsed["entities"] if e["entity"] == "also_complaint"],
        }
    return found


with tempfile.TemporaryDirectory() as tmp:
    Path(tmp, "config.yml").write_text(CONFIG)
    Path(tmp, "nlu.yml").write_text(data())
    model = train_nlu(str(Path(tmp, "config.yml")), str(Path(tmp, "nlu.yml")), tmp)
    if model is None:
        sys.exit("training failed")
    print(json.dumps(asyncio.run(parse(model))))
