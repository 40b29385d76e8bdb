"""Compare twinchat's WhatsApp parser with chat-miner and whatstk: speed, memory, correctness.

    .venv/bin/pip install -c requirements/constraints.txt -r benchmarks/requirements.txt
    .venv/bin/python benchmarks/ingest_whatsapp.py speed [--size-mb 100] [--layout android]
    .venv/bin/python benchmarks/ingest_whatsapp.py accuracy

`speed` writes a synthetic chat of about --size-mb megabytes under benchmarks/.work/ and
parses it with each library in its own subprocess, so every peak RSS is measured alone.
`accuracy` parses short export shapes with each library and compares timestamps, authors
and texts with the expected rows. Then it counts authored messages in other projects' test
exports when the `shared/fixtures` folder is beside the repository. Results go to
docs/benchmarks/ingest-whatsapp.md by hand.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import random
import subprocess
import sys
import time
from datetime import datetime, timedelta
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "benchmarks" / ".work" / "whatsapp"
PARSERS = ("twinchat", "twinchat-list", "chat-miner", "whatstk")
MEASURE_TIMEOUT_S = 3600

AUTHORS = ["Ana Test", "Ben Demo", "Carla Muster", "Dmitri Primer", "Eve", "~\u202fFrank Beispiel"]
PHRASES = [
    "ok",
    "👍",
    "haha",
    "see you soon",
    "did you get the tickets?",
    "I think so, let me check",
    "the photo looks great 😂",
    "where are we meeting? at the station?",
    "sorry, the train is late again",
    "thanks ❤️",
    "Kaffee morgen früh?",
    "café demain ?",
    "¿vienes mañana?",
    "завтра увидимся",
    "明天见",
]
SYSTEM_LINES = [
    "Ben Demo added Eve",
    "Eve left",
    "Ana Test changed the subject to “Trip 2024”",
    "Messages and calls are end-to-end encrypted. No one outside of this chat, not even "
    "WhatsApp, can read or listen to them. Tap to learn more.",
]
LAYOUTS = {
    "android": lambda moment: f"{moment:%d/%m/%Y, %H:%M} - ",
    "ios": lambda moment: f"[{moment:%d/%m/%Y, %H:%M:%S}] ",
}


def synthetic_chat(layout: str, seed: int = 7):
    """Yield export lines of an endless group chat: text, multi-line, media and system lines."""
    rng = random.Random(seed)
    header = LAYOUTS[layout]
    moment = datetime(2019, 1, 1, 8, 0, 0)
    while True:
        moment += timedelta(seconds=rng.randint(5, 900))
        roll = rng.random()
        if roll < 0.01:
            yield f"{header(moment)}{rng.choice(SYSTEM_LINES)}\n"
            continue
        author = rng.choice(AUTHORS)
        if roll < 0.05:
            body = "<Media omitted>" if layout == "android" else "\u200eimage omitted"
        else:
            body = " ".join(rng.choices(PHRASES, k=rng.randint(1, 4)))
            if roll > 0.92:
                extra = " ".join(rng.choices(PHRASES, k=rng.randint(1, 3)))
                body += f"\n{extra}\n\n{rng.choice(PHRASES)}"
        yield f"{header(moment)}{author}: {body}\n"


def write_chat(path: Path, size_bytes: int, layout: str) -> None:
    """Write synthetic export lines to `path` until it contains at least `size_bytes` bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    batch: list[str] = []
    with path.open("w", encoding="utf-8") as stream:
        for line in synthetic_chat(layout):
            batch.append(line)
            if len(batch) == 1_000:
                chunk = "".join(batch)
                stream.write(chunk)
                written += len(chunk.encode("utf-8"))
                batch.clear()
                if written >= size_bytes:
                    break


def count_twinchat(path: Path) -> int:
    """Stream the messages as `twinchat ingest` does, keeping none of them."""
    from trainer.ingest import iter_messages

    return sum(1 for _ in iter_messages([path]))


def run_twinchat(path: Path) -> list[tuple[str, str, str]]:
    from trainer.ingest import iter_messages

    return [
        (message.ts, message.author, message.text)
        for message in iter_messages([path])
        if message.kind != "system"
    ]


def run_chat_miner(path: Path) -> list[tuple[str, str, str]]:
    from chatminer.chatparsers import WhatsAppParser

    parser = WhatsAppParser(str(path))
    parser.parse_file()
    frame = parser.parsed_messages.get_df()
    return [
        (moment.isoformat(timespec="seconds"), author, message)
        for moment, author, message in frame.iter_rows()
    ]


def run_whatstk(path: Path) -> list[tuple[str, str, str]]:
    from whatstk.whatsapp.parser import df_from_whatsapp

    frame = df_from_whatsapp(str(path), max_size=None)
    return [
        (moment.isoformat(timespec="seconds"), author, message)
        for moment, author, message in frame[["date", "username", "message"]].itertuples(
            index=False
        )
    ]


RUNNERS = {"twinchat": run_twinchat, "chat-miner": run_chat_miner, "whatstk": run_whatstk}
# Functions that `speed` times. twinchat streams, and also builds a list of rows as the
# other libraries must.
SPEED_RUNNERS = {
    "twinchat": count_twinchat,
    "twinchat-list": lambda path: len(run_twinchat(path)),
    "chat-miner": lambda path: len(run_chat_miner(path)),
    "whatstk": lambda path: len(run_whatstk(path)),
}


def _quiet_libraries() -> None:
    # chat-miner logs every skipped line at INFO and draws a tqdm bar on stderr.
    logging.disable(logging.CRITICAL)
    os.environ["TQDM_DISABLE"] = "1"


def _peak_rss_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def measure(parser: str, path: Path) -> dict:
    """Parse `path` with one library in this process. Return times, rows and peak RSS."""
    _quiet_libraries()
    runner = SPEED_RUNNERS[parser]
    runner(WORK / "warmup.txt")  # imports the library and fills its caches
    baseline = _peak_rss_mib()
    start_wall, start_cpu = time.perf_counter(), _cpu_seconds()
    rows = runner(path)
    wall, cpu = time.perf_counter() - start_wall, _cpu_seconds() - start_cpu
    megabytes = path.stat().st_size / 1e6
    return {
        "parser": parser,
        "rows": rows,
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "mb_per_cpu_s": round(megabytes / cpu, 2),
        "peak_rss_mib": round(_peak_rss_mib()),
        "rss_before_parse_mib": round(baseline),
    }


def machine() -> str:
    model = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    load = os.getloadavg()[0]
    return (
        f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}, "
        f"load average {load:.1f} at start"
    )


def versions() -> str:
    names = ("chat-miner", "whatstk", "polars", "pandas", "python-dateutil")
    return ", ".join(f"{name} {metadata.version(name)}" for name in names)


def speed(size_mb: int, layout: str, parsers: list[str]) -> None:
    path = WORK / f"whatsapp-{layout}-{size_mb}mb.txt"
    if not path.exists():
        print(f"writing {path} ...", file=sys.stderr)
        write_chat(path, size_mb * 1_000_000, layout)
    write_chat(WORK / "warmup.txt", 10_000, layout)
    size = path.stat().st_size
    print(f"machine: {machine()}")
    print(f"libraries: {versions()}")
    print(f"input: {path.name}, {size / 1e6:.1f} MB, layout {layout}\n")
    print("| parser | messages | wall s | CPU s | MB per CPU s | peak RSS MiB | RSS before MiB |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for parser in parsers:
        result = subprocess.run(
            [sys.executable, __file__, "measure", parser, str(path)],
            capture_output=True,
            text=True,
            timeout=MEASURE_TIMEOUT_S,
            check=False,
        )
        if result.returncode != 0:
            tail = result.stderr.strip().splitlines()[-1:] or ["no output"]
            print(f"| {parser} | failed: {tail[0]} | | | | | |")
            continue
        row = json.loads(result.stdout.strip().splitlines()[-1])
        print(
            f"| {parser} | {row['rows']:,} | {row['wall_s']} | {row['cpu_s']} | "
            f"{row['mb_per_cpu_s']} | {row['peak_rss_mib']} | {row['rss_before_parse_mib']} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    commands = parser.add_subparsers(dest="command", required=True)
    speed_command = commands.add_parser("speed", help="time and peak RSS on a large chat")
    speed_command.add_argument("--size-mb", type=int, default=100, help="input size in MB")
    speed_command.add_argument("--layout", choices=sorted(LAYOUTS), default="android")
    speed_command.add_argument("--parsers", nargs="+", choices=PARSERS, default=list(PARSERS))
    commands.add_parser("accuracy", help="compare parses of short export shapes")
    measure_command = commands.add_parser("measure", help="internal: one parser, one file")
    measure_command.add_argument("parser", choices=PARSERS)
    measure_command.add_argument("path", type=Path)
    args = parser.parse_args()
    if args.command == "speed":
        speed(args.size_mb, args.layout, args.parsers)
    elif args.command == "measure":
        print(json.dumps(measure(args.parser, args.path)))
    else:
        from ingest_whatsapp_cases import accuracy, fixture_accuracy

        accuracy(RUNNERS, WORK, _quiet_libraries)
        fixtures = ROOT.parent / "shared" / "fixtures"
        if fixtures.is_dir():
            print()
            fixture_accuracy(RUNNERS, fixtures)
        else:
            print(f"\n{fixtures} is absent, so the fixture comparison was skipped")


if __name__ == "__main__":
    main()
