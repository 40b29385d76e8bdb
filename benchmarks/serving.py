"""Benchmark serving: many personas on one base model, batched against one reply at a time.

Eight personas (random LoRA adapters with the project's LoRA settings from
configs/lora/default.yaml) are registered in a throwaway MLflow store on the default base
model. A fresh process then measures:

- memory: the base model's weights, and what each extra persona's adapter adds (exact
  parameter bytes, and the process's resident set size, which is noisier);
- load: C concurrent conversations (C = 1, 8, 32 by default), each persona in turn, each
  conversation sending its requests one after another. Every load runs twice: with the
  batching scheduler (up to 32 replies per forward pass) and with one reply at a time
  (batch size 1). Each run reports replies per second, generated tokens per second and the
  p50 and p95 latency of a reply.

Usage (from the repository root, after the base_model stage or with the bundled GGUF):
    .venv/bin/python benchmarks/serving.py
    .venv/bin/python benchmarks/serving.py --concurrency 1 8 --max-new-tokens 16

Results: docs/benchmarks/serving.md. Work files: benchmarks/.work/serving/.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
# Run as a script, this file's folder comes first on sys.path, and this file's own name
# would then hide the `serving` package it benchmarks.
sys.path = [entry for entry in sys.path if Path(entry or ".").resolve() != Path(__file__).parent]
WORK_DIR = REPO_ROOT / "benchmarks" / ".work" / "serving"
DEFAULT_BASE = REPO_ROOT / "models" / "base" / "SmolLM2-135M-Instruct"
LORA_CONFIG = REPO_ROOT / "configs" / "lora" / "default.yaml"
PERSONAS = ["Ana", "Ben", "Cid", "Dee", "Eli", "Fay", "Gus", "Hal", "Ivy", "Jo", "Kai", "Lu"]
PROMPTS = [
    "hey, are you coming tonight?",
    "did you see the game yesterday",
    "what are you up to this weekend?",
    "can you send me the photos from the trip",
    "lol that was so funny",
    "I'm running late, save me a seat",
    "how was the interview?",
    "should we get pizza or sushi",
]

logger = logging.getLogger("benchmarks.serving")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-model", default=str(DEFAULT_BASE), help="base model directory")
    parser.add_argument("--personas", type=int, default=8, help="registered personas")
    parser.add_argument(
        "--concurrency", type=int, nargs="+", default=[1, 8, 32], help="conversations at once"
    )
    parser.add_argument(
        "--replies",
        type=int,
        default=16,
        help="replies per load level at least; each conversation sends "
        "max(1, replies / concurrency) requests",
    )
    parser.add_argument("--max-new-tokens", type=int, default=24, help="tokens per reply")
    parser.add_argument("--max-batch-size", type=int, default=32, help="batched mode's limit")
    parser.add_argument("--batch-wait-ms", type=float, default=10.0, help="batching window")
    parser.add_argument("--dtype", default="float32", choices=["float32", "bfloat16"])
    parser.add_argument("--device", default="cpu", help="cpu, cuda or cuda:N")
    parser.add_argument(
        "--threads", type=int, default=None, help="torch threads (default: torch's)"
    )
    parser.add_argument("--out", default=str(WORK_DIR / "results.json"), help="results JSON")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def lora_settings() -> dict[str, Any]:
    from omegaconf import OmegaConf

    config = OmegaConf.to_container(OmegaConf.load(LORA_CONFIG))
    return {
        "r": config["r"],
        "lora_alpha": config["alpha"],
        "target_modules": list(config["target_modules"]),
    }


def ensure_base_model(path: Path) -> Path:
    """Return the converted base model, converting the bundled GGUF when it is missing."""
    if (path / "config.json").is_file():
        return path
    from trainer.modeling.base_model import convert_gguf, find_bundled_gguf

    target = WORK_DIR / "base"
    if not (target / "config.json").is_file():
        logger.info("converting the bundled GGUF to %s", target)
        convert_gguf(find_bundled_gguf(), target)
    return target


def make_adapters(base_dir: Path, count: int) -> list[Path]:
    """Save `count` LoRA adapters with random weights (B is not zero, so they change outputs)."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    settings = lora_settings()
    model = AutoModelForCausalLM.from_pretrained(str(base_dir))
    paths = []
    for index in range(count):
        path = WORK_DIR / "adapters" / f"adapter{index}"
        torch.manual_seed(index)
        config = LoraConfig(init_lora_weights=False, **settings)
        peft_model = get_peft_model(model, config)
        peft_model.save_pretrained(str(path))
        model = peft_model.unload()
        paths.append(path)
    return paths


def register_personas(base_dir: Path, adapters: list[Path]) -> tuple[str, list[str]]:
    """Register one model per adapter in a fresh SQLite MLflow store; return its URI and names."""
    import shutil

    import mlflow
    from mlflow import MlflowClient
    from transformers import AutoTokenizer

    from trainer.registration import log_persona_model

    store = WORK_DIR / "mlflow"
    shutil.rmtree(store, ignore_errors=True)
    store.mkdir(parents=True)
    uri = f"sqlite:///{store / 'mlflow.db'}"
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    experiment = client.create_experiment(
        "serving-benchmark", artifact_location=(store / "artifacts").as_uri()
    )
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    names = []
    for index, adapter in enumerate(adapters):
        persona = PERSONAS[index % len(PERSONAS)]
        name = f"bench-{persona.lower()}-{index}"
        files = store / "files" / name
        shutil.copytree(adapter, files / "adapter")
        AutoTokenizer.from_pretrained(str(base_dir)).save_pretrained(str(files / "tokenizer"))
        config = {"base_model": str(base_dir), "persona": persona, "generation": {}, "style": {}}
        (files / "twinchat.json").write_text(json.dumps(config))
        with mlflow.start_run(experiment_id=experiment):
            version = log_persona_model(
                name,
                {
                    "adapter": files / "adapter",
                    "tokenizer": files / "tokenizer",
                    "twinchat.json": files / "twinchat.json",
                },
            )
        client.set_registered_model_alias(name, "champion", str(version))
        names.append(name)
    return uri, names


def rss_bytes() -> int:
    import psutil

    return psutil.Process().memory_info().rss


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, round(share * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def measure_memory(service, names: list[str]) -> dict[str, Any]:
    """Attach the personas' adapters one by one and record what each adds.

    The base model's safetensors file is memory-mapped, so its pages count in the resident
    set only once a forward pass has touched them. A warm-up reply therefore comes first.
    """
    from serving.prompts import ChatMessage

    hello = [ChatMessage("user", PROMPTS[0])]
    before_base = rss_bytes()
    personas = [service.resolve(name) for name in names]
    slot = service.store.slot(personas[0].base_key)
    service.submit(personas[0], hello, {"max_new_tokens": 2}).result(3600)
    with_base = rss_bytes()
    steps = []
    for persona in personas:
        slot.ensure_adapters({persona.adapter: persona.adapter_dir})
        steps.append(
            {
                "adapters": len(slot.adapters),
                "adapter_bytes": slot.adapter_bytes,
                "rss": rss_bytes(),
            }
        )
    for persona in personas:
        service.submit(persona, hello, {"max_new_tokens": 2}).result(3600)
    per_adapter = steps[-1]["adapter_bytes"] / len(steps)
    return {
        "base_parameter_bytes": slot.base_bytes,
        "base_rss_bytes": with_base - before_base,
        "adapter_parameter_bytes": per_adapter,
        "adapter_rss_bytes": (steps[-1]["rss"] - with_base) / len(steps),
        "adapter_share_of_base": per_adapter / slot.base_bytes,
        "steps": steps,
    }


def run_load(service, names: list[str], concurrency: int, replies: int, max_new_tokens: int):
    """Run `concurrency` conversations at once and time every reply."""
    from serving.prompts import ChatMessage

    per_conversation = max(1, replies // concurrency)
    latencies: list[float] = []
    tokens: list[int] = []
    batches_before = sum(service.metrics.batch_size.counts)
    rows_before = service.metrics.batch_size.total

    def conversation(index: int) -> None:
        name = names[index % len(names)]
        history: list[ChatMessage] = []
        for turn in range(per_conversation):
            history.append(ChatMessage("user", PROMPTS[(index + turn) % len(PROMPTS)]))
            overrides = {"max_new_tokens": max_new_tokens, "seed": index * 1000 + turn}
            started = time.perf_counter()
            reply = service.reply(name, history, overrides=overrides, timeout=3600)
            latencies.append(time.perf_counter() - started)
            tokens.append(reply.completion_tokens)
            history.append(ChatMessage("assistant", reply.text or "ok"))

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(conversation, range(concurrency)))
    wall = time.perf_counter() - started
    batches = sum(service.metrics.batch_size.counts) - batches_before
    return {
        "concurrency": concurrency,
        "replies": len(latencies),
        "wall_s": wall,
        "replies_per_s": len(latencies) / wall,
        "tokens_per_s": sum(tokens) / wall,
        "mean_tokens": sum(tokens) / len(tokens),
        "p50_s": percentile(latencies, 0.5),
        "p95_s": percentile(latencies, 0.95),
        "mean_batch": (service.metrics.batch_size.total - rows_before) / max(batches, 1),
    }


def measure(args: argparse.Namespace, config: dict[str, Any]) -> dict[str, Any]:
    """Run in a fresh process: memory first, then each load in both modes."""
    import torch

    from serving.service import build_service
    from serving.settings import ServingSettings

    if args.threads:
        torch.set_num_threads(args.threads)
    common = {
        "tracking_uri": config["tracking_uri"],
        "model_cache_dir": WORK_DIR / "model-cache",
        "max_adapters": max(16, len(config["names"])),
        "dtype": args.dtype,
        "device": args.device,
        "alias_ttl_s": 60.0,
    }
    results: dict[str, Any] = {"torch_threads": torch.get_num_threads()}
    modes = {
        "batched": {"max_batch_size": args.max_batch_size, "batch_wait_ms": args.batch_wait_ms},
        "one_at_a_time": {"max_batch_size": 1, "batch_wait_ms": 0.0},
    }
    for mode, batching in modes.items():
        with build_service(ServingSettings(**common, **batching)) as service:
            memory = measure_memory(service, config["names"])
            results.setdefault("memory", memory)
            loads = []
            for concurrency in args.concurrency:
                result = run_load(
                    service, config["names"], concurrency, args.replies, args.max_new_tokens
                )
                logger.info("%s %s", mode, json.dumps(result))
                loads.append(result)
            results[mode] = loads
    return results


def machine() -> dict[str, Any]:
    import psutil
    import torch

    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "cpu": cpu,
        "logical_cpus": os.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "load_average": os.getloadavg(),
        "python": platform.python_version(),
        "torch": torch.__version__,
    }


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    args = parse_args(argv)
    from twinchat.env import apply_offline_defaults

    apply_offline_defaults()
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    config_path = WORK_DIR / "registry.json"
    if args.measure:
        config = json.loads(config_path.read_text())
        results = measure(args, config)
        Path(args.out).write_text(json.dumps(results, indent=2))
        return

    started = time.perf_counter()
    base_dir = ensure_base_model(Path(args.base_model))
    adapters = make_adapters(base_dir, args.personas)
    uri, names = register_personas(base_dir, adapters)
    config_path.write_text(json.dumps({"tracking_uri": uri, "names": names, "base": str(base_dir)}))
    logger.info("registered %d personas in %.0f s", len(names), time.perf_counter() - started)

    before = machine()
    command = [sys.executable, __file__, "--measure", *(argv if argv is not None else sys.argv[1:])]
    subprocess.run(command, check=True)
    results = json.loads(Path(args.out).read_text())
    results["machine"] = {**before, "load_average_after": os.getloadavg()}
    results["settings"] = {
        key: value for key, value in vars(args).items() if key not in ("measure", "out")
    }
    results["base_model"] = str(base_dir)
    results["lora"] = lora_settings()
    Path(args.out).write_text(json.dumps(results, indent=2))
    print(report(results))


def report(results: dict[str, Any]) -> str:
    """Render the results as the Markdown tables of docs/benchmarks/serving.md."""
    memory = results["memory"]
    lines = [
        "| conversations | mode | replies | replies/s | tokens/s | p50 s | p95 s | mean batch |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for mode in ("batched", "one_at_a_time"):
        for row in results[mode]:
            lines.append(
                f"| {row['concurrency']} | {mode.replace('_', ' ')} | {row['replies']} | "
                f"{row['replies_per_s']:.2f} | {row['tokens_per_s']:.1f} | {row['p50_s']:.2f} | "
                f"{row['p95_s']:.2f} | {row['mean_batch']:.1f} |"
            )
    lines += [
        "",
        f"base model weights: {memory['base_parameter_bytes'] / 2**20:.1f} MiB "
        f"(RSS +{memory['base_rss_bytes'] / 2**20:.0f} MiB)",
        f"per extra persona: {memory['adapter_parameter_bytes'] / 2**20:.2f} MiB of adapter "
        f"weights = {100 * memory['adapter_share_of_base']:.2f}% of the base "
        f"(RSS +{memory['adapter_rss_bytes'] / 2**20:.1f} MiB)",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
