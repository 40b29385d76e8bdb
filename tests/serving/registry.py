"""A throwaway MLflow registry with persona versions on the tiny test model.

Versions are registered with the trainer's own registration code, so serving reads exactly
what training writes.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

LORA_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj"]


def make_adapter(base_dir: Path, out_dir: Path, seed: int) -> Path:
    """Save a LoRA adapter with random (not zero) weights, so it changes the model's output."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        base = AutoModelForCausalLM.from_pretrained(str(base_dir))
        config = LoraConfig(
            r=8, lora_alpha=32, target_modules=LORA_TARGETS, init_lora_weights=False
        )
        get_peft_model(base, config).save_pretrained(str(out_dir))
    return out_dir


@dataclass
class ScratchRegistry:
    tracking_uri: str
    root: Path
    base_dir: Path
    adapters: list[Path]
    experiment_id: str

    def register(
        self,
        name: str,
        adapter: Path,
        persona: str,
        generation: dict[str, Any] | None = None,
        style: dict[str, Any] | None = None,
        alias: str | None = "champion",
    ) -> int:
        """Register a new version of `name` and point `alias` at it; return the version."""
        import mlflow
        from transformers import AutoTokenizer

        from trainer.registration import log_persona_model
        from trainer.registry import make_client

        # MLflow stores each artifact under its folder's own name, so the folders are named
        # `adapter` and `tokenizer` as the registered-model layout expects.
        files = self.root / "files" / f"{name}-{persona}-{adapter.name}"
        shutil.rmtree(files, ignore_errors=True)
        shutil.copytree(adapter, files / "adapter")
        AutoTokenizer.from_pretrained(str(self.base_dir)).save_pretrained(str(files / "tokenizer"))
        config = {
            "base_model": str(self.base_dir),
            "persona": persona,
            "persona_ids": [f"name:{persona.casefold()}"],
            "generation": generation or {},
            "style": style or {},
        }
        (files / "twinchat.json").write_text(json.dumps(config))
        mlflow.set_tracking_uri(self.tracking_uri)
        mlflow.set_registry_uri(self.tracking_uri)
        try:
            with mlflow.start_run(experiment_id=self.experiment_id):
                version = log_persona_model(
                    name,
                    {
                        "adapter": files / "adapter",
                        "tokenizer": files / "tokenizer",
                        "twinchat.json": files / "twinchat.json",
                    },
                )
        finally:
            mlflow.set_tracking_uri(None)
        if alias:
            make_client(self.tracking_uri).set_registered_model_alias(name, alias, str(version))
        return version

    def move_alias(self, name: str, alias: str, version: int) -> None:
        from trainer.registry import make_client

        make_client(self.tracking_uri).set_registered_model_alias(name, alias, str(version))


def create_registry(root: Path) -> ScratchRegistry:
    """Build the tiny base model, three adapters and an empty SQLite MLflow store."""
    from mlflow import MlflowClient

    from trainer.modeling.base_model import build_tiny_model

    base_dir = build_tiny_model(root / "base")
    adapters = [make_adapter(base_dir, root / f"adapter{seed}", seed) for seed in range(3)]
    uri = f"sqlite:///{root / 'mlflow.db'}"
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    experiment_id = client.create_experiment(
        "serving-tests", artifact_location=(root / "mlruns").resolve().as_uri()
    )
    return ScratchRegistry(uri, root, base_dir, adapters, experiment_id)
