"""The bundled sample export and its generator."""

from __future__ import annotations

import json
from pathlib import Path

from trainer.sample import phrases
from trainer.sample.generator import write_export

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample" / "result.json"


def test_sample_regenerates_identically(tmp_path):
    out = tmp_path / "result.json"
    write_export(out)
    assert out.read_bytes() == SAMPLE.read_bytes()


def test_sample_contains_planted_items():
    texts = {json.dumps(message["text"]) for message in json.loads(SAMPLE.read_text())["messages"]}
    missing = [text for _, text in phrases.PLANTED if json.dumps(text) not in texts]
    assert missing == []


def test_sample_persona_is_lowercase():
    messages = json.loads(SAMPLE.read_text())["messages"]
    persona_texts = [
        message["text"]
        for message in messages
        if message.get("from_id") == phrases.PERSONA["id"] and isinstance(message["text"], str)
    ]
    uppercase = [text for text in persona_texts if text != text.lower()]
    assert len(persona_texts) > 2000
    assert uppercase == []


def test_sample_size_limit():
    assert SAMPLE.stat().st_size < 2_000_000
