"""Benchmark Discord JSON ingestion against `json.load` on a large synthetic export.

Writes a DiscordChatExporter JSON export of about `--size-mb` megabytes with generated
messages (text, replies, attachments, a call now and then), then runs each case in a fresh
subprocess and prints its throughput and peak RSS:

- `json-load`: `json.load` of the whole file, the memory a non-streaming parser needs;
- `twinchat`: detection, streaming parse, normalization and writing JSON Lines.

Throughput is the file size in MB (10^6 bytes) divided by wall-clock seconds; peak RSS is
`ru_maxrss` of the measuring process. The export is cached under benchmarks/.work/.

    .venv/bin/python benchmarks/ingest_discord.py --size-mb 200
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

WORK_DIR = Path(__file__).resolve().parent / ".work"
CASES = ("json-load", "twinchat")
WORDS = "the quick brown fox jumps over a lazy dog while we plan the weekend trip".split()  # noqa: SIM905


def build_export(target: Path, size_mb: int) -> int:
    """Write an export of at least `size_mb` MB to `target` if needed, and return its size."""
    if target.exists() and target.stat().st_size >= size_mb * 1_000_000:
        return target.stat().st_size
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(".partial")
    header = {
        "guild": {"id": "100000000000000001", "name": "Benchmark Guild", "iconUrl": ""},
        "channel": {
            "id": "100000000000000002",
            "type": "GuildTextChat",
            "categoryId": "100000000000000003",
            "category": "Text",
            "name": "general",
            "topic": None,
        },
        "dateRange": {"after": None, "before": None},
        "exportedAt": "2024-01-01T00:00:00+00:00",
    }
    written = 0
    with temporary.open("w", encoding="utf-8") as out:
        written += out.write(json.dumps(header, indent=2)[:-2] + ',\n  "messages": [\n')
        number = 0
        while written < size_mb * 1_000_000:
            separator = ",\n" if number else ""
            written += out.write(separator + json.dumps(_message(number), indent=2))
            number += 1
        written += out.write(f'\n  ],\n  "messageCount": {number}\n}}\n')
    temporary.replace(target)
    return target.stat().st_size


def _message(number: int) -> dict:
    user = number % 7
    message = {
        "id": str(200000000000000000 + number),
        "type": "Reply" if number % 5 == 1 else "Default",
        "timestamp": f"2023-{1 + number % 12:02d}-{1 + number % 28:02d}T12:{number % 60:02d}:00"
        ".000+00:00",
        "timestampEdited": None,
        "callEndedTimestamp": None,
        "isPinned": False,
        "content": " ".join(WORDS[(number + i) % len(WORDS)] for i in range(4 + number % 20)),
        "author": {
            "id": str(300000000000000000 + user),
            "name": f"user{user}",
            "discriminator": "0000",
            "nickname": f"User {user}",
            "color": None,
            "isBot": user == 6,
            "roles": [],
            "avatarUrl": f"https://cdn.example/avatars/{user}.png",
        },
        "attachments": [],
        "embeds": [],
        "stickers": [],
        "reactions": [],
        "mentions": [],
        "inlineEmojis": [],
    }
    if number % 5 == 1:
        message["reference"] = {"messageId": str(200000000000000000 + number - 1)}
    if number % 11 == 0:
        message["attachments"] = [
            {"id": str(number), "url": f"https://cdn.example/{number}.png", "fileName": "a.png"}
        ]
    if number % 97 == 0:
        message["type"] = "Call"
        message["content"] = "Started a call that lasted 3 minutes."
    return message


def measure(case: str, export: Path) -> dict:
    """Run one case in this process and return its numbers."""
    start = time.perf_counter()
    if case == "json-load":
        with export.open(encoding="utf-8") as stream:
            count = len(json.load(stream)["messages"])
    else:
        from trainer.ingest import IngestReport, iter_messages, write_jsonl

        report = IngestReport()
        out = WORK_DIR / "discord-messages.jsonl"
        count = write_jsonl(iter_messages([export], report=report), out)
    seconds = time.perf_counter() - start
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size_mb = export.stat().st_size / 1_000_000
    return {
        "case": case,
        "messages": count,
        "seconds": round(seconds, 2),
        "mb_per_s": round(size_mb / seconds, 1),
        "peak_rss_mib": round(peak_mib),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--size-mb", type=int, default=200, help="export size in MB")
    parser.add_argument("--case", choices=CASES, help="run one case here (used internally)")
    args = parser.parse_args()
    export = WORK_DIR / f"discord-{args.size_mb}mb.json"
    if args.case:
        print(json.dumps(measure(args.case, export)))
        return
    size = build_export(export, args.size_mb)
    print(f"export: {export} ({size / 1_000_000:.0f} MB), {platform.processor() or 'cpu'}")
    for case in CASES:
        command = [sys.executable, __file__, "--size-mb", str(args.size_mb), "--case", case]
        result = subprocess.run(command, capture_output=True, text=True, check=True)
        print(result.stdout.strip())


if __name__ == "__main__":
    main()
