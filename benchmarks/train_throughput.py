"""Benchmark training throughput: twinchat's trainer against TRL's SFTTrainer.

Both train the same base model with the same LoRA settings, batch size, sequence length,
precision and examples, with the loss on the persona's reply only (TRL: a prompt-completion
dataset with `completion_only_loss=True`). Each trainer runs in its own subprocess, so the
peak RSS of one does not hide the other's. TRL runs without gradient checkpointing (its
default turns it on), as twinchat does, so both compute the same steps. Throughput counts
real (non-padding) input tokens per second of training steps (forward, backward, optimizer
step), after warm-up steps.

Usage (after the base_model stage, from the repository root):
    .venv/bin/python benchmarks/train_throughput.py
    .venv/bin/python benchmarks/train_throughput.py --steps 5 --trainers trl,trl-bf16

Needs `trl` (benchmarks/requirements.txt). Results: docs/benchmarks/train-throughput.md.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import random
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
WORK_DIR = REPO_ROOT / "benchmarks" / ".work" / "train_throughput"
# Words the synthetic dialogues are drawn from.
WORD_TEXT = (
    "yeah sure maybe tomorrow tonight coffee train late early work home call text photo "
    "weekend party movie dinner lunch friend mom dad dog cat rain sun beach city trip ticket "
    "really honestly lol haha okay fine great awful tired busy free soon later now never "
    "always what why how when where who which think know want need like love hate see go"
)
WORDS = WORD_TEXT.split()
WORKERS = ["twinchat", "trl", "trl-packing", "trl-bf16"]
LORA_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--base-model",
        default=str(REPO_ROOT / "models" / "base" / "SmolLM2-135M-Instruct"),
        help="base model directory (output of pipelines/base_model.py)",
    )
    parser.add_argument(
        "--dataset",
        default=None,
        help="prepared DatasetDict directory (default: a synthetic one, written once)",
    )
    parser.add_argument("--batch-size", type=int, default=4, help="rows per step")
    parser.add_argument("--max-seq-len", type=int, default=256, help="tokens per row")
    parser.add_argument("--steps", type=int, default=5, help="timed optimizer steps")
    parser.add_argument("--warmup", type=int, default=1, help="untimed steps before those")
    parser.add_argument(
        "--precision", default="auto", help="auto, bf16-mixed or 32-true (for both trainers)"
    )
    parser.add_argument(
        "--trainers",
        default="twinchat,trl",
        help="comma-separated runs after twinchat's: trl (fp32 base weights, its default), "
        "trl-packing (packing=True, best-fit decreasing), trl-bf16 (bf16 base weights)",
    )
    parser.add_argument("--worker", choices=WORKERS, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, default=WORK_DIR / "results.json", help="results JSON")
    return parser.parse_args(argv)


def make_synthetic_rows(count: int, seed: int = 0) -> list[dict[str, Any]]:
    """Dialogue rows in the prepared-dataset format, with varied context and reply lengths."""
    rng = random.Random(seed)

    def message(low: int, high: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high)))

    rows = []
    for index in range(count):
        context = [
            {
                "speaker": "Alice" if turn % 2 else "Bob",
                "is_persona": bool(turn % 2),
                "messages": [message(3, 18) for _ in range(rng.randint(1, 3))],
            }
            for turn in range(rng.randint(1, 5))
        ]
        rows.append(
            {
                "example_id": f"synthetic-{index}",
                "chat_id": "synthetic:1",
                "session_id": f"s{index}",
                "group_chat": False,
                "persona": "Alice",
                "context": context,
                "target": [message(2, 14) for _ in range(rng.randint(1, 3))],
                "target_ts": "2024-01-01T10:00:00",
            }
        )
    return rows


def prepare_dataset(args: argparse.Namespace) -> Path:
    if args.dataset:
        return Path(args.dataset)
    path = WORK_DIR / "dataset"
    if not (path / "dataset_dict.json").is_file():
        from datasets import Dataset, DatasetDict

        rows = make_synthetic_rows(600)
        DatasetDict({"train": Dataset.from_list(rows)}).save_to_disk(str(path))
    return path


def fitting_rows(dataset_dir: Path, tokenizer: Any, max_seq_len: int) -> list[dict[str, Any]]:
    """Return the training rows that fit `max_seq_len` whole, so neither trainer truncates."""
    from datasets import load_from_disk

    from trainer.modeling.packing import encode_example

    rows = load_from_disk(str(dataset_dir))["train"]
    return [row for row in rows if not encode_example(row, tokenizer, max_seq_len).truncated]


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class StepClock:
    """Wall and process CPU time of each training step.

    CPU time counts every thread of this process and leaves out time spent waiting for a
    core, so it stays comparable when other programs load the machine.
    """

    def __init__(self) -> None:
        self.wall: list[float] = []
        self.cpu: list[float] = []

    def start(self) -> None:
        self._wall, self._cpu = time.perf_counter(), time.process_time()

    def stop(self) -> None:
        self.wall.append(time.perf_counter() - self._wall)
        self.cpu.append(time.process_time() - self._cpu)


def summarize(step_tokens: list[int], clock: StepClock, warmup: int) -> dict[str, float]:
    steps = len(clock.wall[warmup:])
    tokens = sum(step_tokens[warmup : warmup + steps])
    wall, cpu = sum(clock.wall[warmup:]), sum(clock.cpu[warmup:])
    return {
        "timed_steps": steps,
        "tokens_per_step": tokens / max(steps, 1),
        "seconds_per_step": wall / max(steps, 1),
        "cpu_seconds_per_step": cpu / max(steps, 1),
        "tokens_per_s": tokens / wall if wall else 0.0,
        "tokens_per_cpu_s": tokens / cpu if cpu else 0.0,
        "peak_rss_mib": peak_rss_mib(),
    }


def run_twinchat(args: argparse.Namespace, dataset_dir: Path) -> dict[str, float]:
    import lightning as L
    from datasets import Dataset, DatasetDict
    from hydra import compose, initialize_config_dir
    from hydra.utils import instantiate

    from trainer.modeling.base_model import load_tokenizer
    from trainer.modeling.datamodule import DialogueDataModule
    from trainer.modeling.module import CausalLMModule
    from trainer.modeling.train import build_model, build_trainer, trainer_precision

    tokenizer = load_tokenizer(args.base_model)
    subset_dir = WORK_DIR / "fitting-dataset"
    rows = fitting_rows(dataset_dir, tokenizer, args.max_seq_len)
    DatasetDict({"train": Dataset.from_list(rows)}).save_to_disk(str(subset_dir))

    overrides = [
        f"model.name_or_path={args.base_model}",
        f"data.dataset_dir={subset_dir}",
        f"data.max_seq_len={args.max_seq_len}",
        f"data.batch_size={args.batch_size}",
        f"trainer.precision={args.precision}",
        f"trainer.max_steps={args.warmup + args.steps}",
        "trainer.accumulate_grad_batches=1",
        "++trainer.limit_val_batches=0",
        "trainer.enable_progress_bar=false",
        "++trainer.enable_checkpointing=false",
        "++trainer.enable_model_summary=false",
    ]
    with initialize_config_dir(config_dir=str(REPO_ROOT / "configs"), version_base="1.3"):
        cfg = compose(config_name="config", overrides=overrides)

    step_tokens: list[int] = []
    clock = StepClock()

    class StepTimer(L.Callback):
        def on_train_batch_start(self, trainer, module, batch, batch_idx):
            clock.start()

        def on_train_batch_end(self, trainer, module, outputs, batch, batch_idx):
            clock.stop()
            step_tokens.append(int(batch["num_tokens"]))

    L.seed_everything(cfg.seed)
    datamodule = DialogueDataModule(
        cfg.data.dataset_dir, tokenizer, cfg.data.max_seq_len, cfg.data.batch_size, seed=cfg.seed
    )
    model = build_model(cfg, trainer_precision(cfg))
    module = CausalLMModule(model, instantiate(cfg.trainer.optimizer))
    trainer = build_trainer(cfg, callbacks=[StepTimer()], loggers=[])
    trainer.fit(module, datamodule=datamodule)
    result = summarize(step_tokens, clock, args.warmup)
    result["precision"] = trainer.precision
    result["base_weights"] = str(next(model.parameters()).dtype)
    return result


def run_trl(
    args: argparse.Namespace, dataset_dir: Path, packing: bool, bf16_weights: bool
) -> dict[str, float]:
    import dataclasses

    import torch
    from datasets import Dataset
    from peft import LoraConfig
    from transformers import AutoTokenizer, TrainerCallback
    from trl import SFTConfig, SFTTrainer

    from trainer.formatting import build_messages, join_burst
    from trainer.modeling.train import resolve_precision

    tokenizer = AutoTokenizer.from_pretrained(args.base_model)
    records = [
        {
            "prompt": build_messages(row["context"], row["persona"], row["group_chat"]),
            "completion": [{"role": "assistant", "content": join_burst(row["target"])}],
        }
        for row in fitting_rows(dataset_dir, tokenizer, args.max_seq_len)
    ]
    precision = resolve_precision(args.precision, "auto")
    checkpointing_field = "activation_checkpointing"
    if checkpointing_field not in {field.name for field in dataclasses.fields(SFTConfig)}:
        checkpointing_field = "gradient_checkpointing"
    config = SFTConfig(
        output_dir=str(WORK_DIR / "trl"),
        per_device_train_batch_size=args.batch_size,
        gradient_accumulation_steps=1,
        max_steps=args.warmup + args.steps,
        learning_rate=2e-4,
        max_length=args.max_seq_len,
        packing=packing,
        completion_only_loss=True,
        bf16=precision == "bf16-mixed",
        use_cpu=not torch.cuda.is_available(),
        report_to=[],
        save_strategy="no",
        logging_steps=1,
        seed=42,
        disable_tqdm=True,
        model_init_kwargs={
            "dtype": torch.bfloat16 if bf16_weights else torch.float32,
            "attn_implementation": "sdpa",
        },
        **{checkpointing_field: False},
    )
    lora = LoraConfig(
        r=16, lora_alpha=32, lora_dropout=0.05, target_modules=LORA_TARGETS, task_type="CAUSAL_LM"
    )
    batch_tokens: list[int] = []
    clock = StepClock()

    class StepTimer(TrainerCallback):
        def on_step_begin(self, *unused, **kwargs):
            clock.start()

        def on_step_end(self, *unused, **kwargs):
            clock.stop()

    trainer = SFTTrainer(
        model=args.base_model,
        args=config,
        train_dataset=Dataset.from_list(records),
        processing_class=tokenizer,
        peft_config=lora,
        callbacks=[StepTimer()],
    )
    collate = trainer.data_collator

    def counting_collator(examples):
        batch = collate(examples)
        mask = batch.get("attention_mask")
        batch_tokens.append(int(mask.sum()) if mask is not None else batch["input_ids"].numel())
        return batch

    trainer.data_collator = counting_collator
    trainer.train()
    result = summarize(batch_tokens, clock, args.warmup)
    result["precision"] = precision
    result["base_weights"] = str(next(trainer.model.parameters()).dtype)
    return result


def run_worker(args: argparse.Namespace) -> None:
    dataset_dir = prepare_dataset(args)
    if args.worker == "twinchat":
        result = run_twinchat(args, dataset_dir)
    else:
        result = run_trl(
            args,
            dataset_dir,
            packing=args.worker == "trl-packing",
            bf16_weights=args.worker == "trl-bf16",
        )
    print("RESULT " + json.dumps(result))


def run_in_subprocess(worker: str, argv: list[str]) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), *argv, "--worker", worker]
    started = time.perf_counter()
    completed = subprocess.run(command, capture_output=True, text=True, cwd=REPO_ROOT, check=False)
    lines = [line for line in completed.stdout.splitlines() if line.startswith("RESULT ")]
    if completed.returncode != 0 or not lines:
        sys.stderr.write(completed.stderr[-4000:])
        raise SystemExit(f"The {worker} run failed with exit code {completed.returncode}.")
    result = json.loads(lines[-1].removeprefix("RESULT "))
    result["wall_seconds"] = time.perf_counter() - started
    return result


def format_table(results: dict[str, dict[str, Any]]) -> str:
    """Format the results as a Markdown table of throughput and peak memory.

    A speed-up is twinchat's tokens per second divided by that trainer's.
    """
    ours = results["twinchat"]
    lines = [
        "| trainer | precision | base weights | tokens/step | wall s/step | CPU s/step "
        "| tokens/s | tokens/CPU-s | speed-up (wall) | speed-up (CPU) | peak RSS MiB |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, result in results.items():
        lines.append(
            f"| {name} | {result['precision']} | {result['base_weights']} "
            f"| {result['tokens_per_step']:.0f} | {result['seconds_per_step']:.1f} "
            f"| {result['cpu_seconds_per_step']:.1f} | {result['tokens_per_s']:.0f} "
            f"| {result['tokens_per_cpu_s']:.0f} "
            f"| {ours['tokens_per_s'] / result['tokens_per_s']:.2f}x "
            f"| {ours['tokens_per_cpu_s'] / result['tokens_per_cpu_s']:.2f}x "
            f"| {result['peak_rss_mib']:.0f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    from twinchat.env import apply_offline_defaults

    apply_offline_defaults()
    args = parse_args(argv)
    if args.worker:
        logging.basicConfig(level=logging.WARNING)
        run_worker(args)
        return

    argv = list(sys.argv[1:] if argv is None else argv)
    prepare_dataset(args)
    workers = ["twinchat"] + [name for name in args.trainers.split(",") if name != "twinchat"]
    unknown = sorted(set(workers) - set(WORKERS))
    if unknown:
        raise SystemExit(f"Unknown trainers {unknown} in --trainers; choose from {WORKERS}.")
    results = {worker: run_in_subprocess(worker, argv) for worker in workers}
    table = format_table(results)
    print(table)

    args.out.parent.mkdir(parents=True, exist_ok=True)
    record = {
        "command": " ".join(["benchmarks/train_throughput.py", *argv]),
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs",
        "results": results,
    }
    args.out.write_text(json.dumps(record, indent=2) + "\n")
    print(f"Results written to {args.out}")


if __name__ == "__main__":
    main()
