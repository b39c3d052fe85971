"""Train the Rasa model only when its inputs changed."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

from herstel.rasa_env import rasa_command, rasa_environ

TRAINING_INPUTS = (
    "config.yml",
    "bot/domain",
    "data",
    "bot/components",
    "bot/language.py",
    "bot/language_words.py",
)
MODEL_NAME = "herstel"


def model_path(root: Path) -> Path:
    return root / "models" / f"{MODEL_NAME}.tar.gz"


def fingerprint(root: Path) -> str:
    digest = hashlib.sha256()
    for name in TRAINING_INPUTS:
        path = root / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if "__pycache__" in file.parts:
                continue
            digest.update(file.relative_to(root).as_posix().encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


def ensure_model(root: Path, *, force: bool = False) -> Path:
    """Return the trained model, training it first if the data or config changed."""
    model, stamp = model_path(root), root / "models" / f"{MODEL_NAME}.fingerprint"
    current = fingerprint(root)
    if not force and model.exists() and stamp.exists() and stamp.read_text() == current:
        print(f"Rasa model is up to date ({model.relative_to(root)})", flush=True)
        return model
    print("Training the Rasa model (training data or config changed)...", flush=True)
    command = rasa_command(
        root,
        "train",
        "--config",
        "config.yml",
        "--domain",
        "bot/domain",
        "--data",
        "data",
        "--out",
        "models",
        "--fixed-model-name",
        MODEL_NAME,
    )
    result = subprocess.run(command, cwd=root, env=rasa_environ(root), check=False)
    if result.returncode != 0 or not model.exists():
        sys.exit(f"Training failed (rasa train exited with {result.returncode}).")
    stamp.write_text(current)
    print(f"Trained {model.relative_to(root)}", flush=True)
    return model
