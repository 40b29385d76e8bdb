"""The MLflow pyfunc wrapper of a persona model: LoRA adapter + tokenizer + base model reference.

Serving reads the registered files directly (see trainer.registry). This wrapper only makes
a model version usable through `mlflow.pyfunc.load_model` too. It needs the
twinchat package importable and the base model present at the path in twinchat.json.

MLflow logs this file as "model from code": it copies the file into the model version and
runs it on load, and `set_model` at the end names the model object, so nothing is pickled.
"""

from __future__ import annotations

import json
from typing import Any

import mlflow.pyfunc
from mlflow.models import set_model

from trainer.evaluation.generation import GenerationSettings, generate_replies, prompt_messages


class PersonaModel(mlflow.pyfunc.PythonModel):
    """Generate persona replies from dataset-shaped rows.

    `predict` takes a list of dicts (or a pandas DataFrame) with `context` (turns as in the
    prepared dataset), `persona` and `group_chat`, and returns one reply per row with the
    burst's messages joined by newlines.
    """

    def load_context(self, context) -> None:
        from peft import PeftModel
        from transformers import AutoModelForCausalLM, AutoTokenizer

        artifacts = context.artifacts
        with open(artifacts["twinchat.json"], encoding="utf-8") as stream:
            self.config = json.load(stream)
        self.tokenizer = AutoTokenizer.from_pretrained(artifacts["tokenizer"])
        if "model" in artifacts:
            self.model = AutoModelForCausalLM.from_pretrained(artifacts["model"])
        else:
            base = AutoModelForCausalLM.from_pretrained(self.config["base_model"])
            self.model = PeftModel.from_pretrained(base, artifacts["adapter"])
        self.settings = GenerationSettings.from_mapping(self.config.get("generation", {}))

    # model_input has no type hint on purpose: MLflow would derive an input schema from it.
    def predict(self, context, model_input, params: dict[str, Any] | None = None) -> list[str]:
        rows = (
            model_input.to_dict(orient="records")
            if hasattr(model_input, "to_dict")
            else list(model_input)
        )
        for row in rows:
            row.setdefault("persona", self.config.get("persona", ""))
            row.setdefault("group_chat", False)
        conversations = [prompt_messages(row) for row in rows]
        bursts = generate_replies(self.model, self.tokenizer, conversations, self.settings)
        return ["\n".join(burst) for burst in bursts]


set_model(PersonaModel())
