"""Generate the bundled sample chat as a Telegram Desktop single-chat JSON export.

The same seed always writes the same file, so the committed `data/sample/result.json` can
be regenerated and compared byte for byte:

    python -m trainer.sample.generator --out data/sample/result.json
"""

from __future__ import annotations

import argparse
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from trainer.sample import phrases

DEFAULT_SEED = 20240301
DEFAULT_SESSIONS = 380
START = datetime(2024, 3, 1, 9, 0, 0, tzinfo=UTC)
LINKS = [
    "https://example.com/recipes/soup",
    "https://example.org/plants/care",
    "https://example.net/tickets",
]


class SampleWriter:
    """Builds the export's message list with increasing ids and timestamps."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.messages: list[dict[str, Any]] = []
        self.clock = START

    def wait(self, min_seconds: int, max_seconds: int) -> None:
        self.clock += timedelta(seconds=self.rng.randint(min_seconds, max_seconds))

    def add(self, author: dict[str, str], text: str, **extra: Any) -> dict[str, Any]:
        message = {
            "id": len(self.messages) + 1,
            "type": "message",
            "date": self.clock.strftime("%Y-%m-%dT%H:%M:%S"),
            "date_unixtime": str(int(self.clock.timestamp())),
            "from": author["name"],
            "from_id": author["id"],
            "text": text,
            "text_entities": [{"type": "plain", "text": text}] if text else [],
            **extra,
        }
        self.messages.append(message)
        return message

    def add_link(self, author: dict[str, str], text: str, url: str) -> None:
        """Add a message whose text has a link, in Telegram's list-of-pieces form."""
        message = self.add(author, "")
        message["text"] = [text, {"type": "link", "text": url}]
        message["text_entities"] = [{"type": "plain", "text": text}, {"type": "link", "text": url}]

    def add_service(self, actor: dict[str, str], action: str, **extra: Any) -> None:
        self.messages.append(
            {
                "id": len(self.messages) + 1,
                "type": "service",
                "date": self.clock.strftime("%Y-%m-%dT%H:%M:%S"),
                "date_unixtime": str(int(self.clock.timestamp())),
                "actor": actor["name"],
                "actor_id": actor["id"],
                "action": action,
                "text": "",
                "text_entities": [],
                **extra,
            }
        )


def fill(template: str, rng: random.Random) -> str:
    """Replace each `{slot}` with a random value from phrases.SLOTS."""
    values = {name: rng.choice(options) for name, options in phrases.SLOTS.items()}
    return template.format(**values)


def persona_styled(text: str, rng: random.Random) -> str:
    """Apply Juniper's habits: lowercase, no final period, often a "~" or one of her emoji."""
    text = text.lower().rstrip(".")
    roll = rng.random()
    if roll < 0.3 and not text.endswith(("~", "!")):
        text += "~"
    elif roll < 0.45:
        text += " " + rng.choice(phrases.PERSONA_EMOJI)
    return text


def persona_burst(topic: dict[str, list[str]], rng: random.Random) -> list[str]:
    """Return two or three short messages (sometimes one) in Juniper's style."""
    size = rng.choices([1, 2, 3], weights=[2, 5, 3])[0]
    parts = []
    if rng.random() < 0.35:
        parts.append(rng.choice(phrases.REACTIONS))
    while len(parts) < size:
        phrase = fill(rng.choice(topic["persona"]), rng)
        parts.append(
            rng.choice(phrases.PERSONA_PREFIXES) + phrase + rng.choice(phrases.PERSONA_SUFFIXES)
        )
    if rng.random() < 0.15:
        parts[-1] = rng.choice(phrases.SIGNATURES)
    return [persona_styled(part, rng) for part in parts[:size]]


def friend_turn(topic: dict[str, list[str]], rng: random.Random) -> list[str]:
    """Return one or two messages in a friend's plainer style."""
    count = rng.choices([1, 2], weights=[4, 1])[0]
    messages = []
    for _ in range(count):
        phrase = fill(rng.choice(topic["friend"]), rng)
        prefix = rng.choice(phrases.FRIEND_PREFIXES)
        if prefix:
            phrase = prefix + phrase[0].lower() + phrase[1:]
        messages.append(phrase + rng.choice(phrases.FRIEND_SUFFIXES))
    return messages


def write_session(writer: SampleWriter, rng: random.Random, planted: list[tuple[str, str]]) -> None:
    """Write one conversation: an opener, several exchanges and sometimes a goodbye."""
    topic = phrases.TOPICS[rng.choice(sorted(phrases.TOPICS))]
    friend = rng.choice(phrases.FRIENDS)
    persona = phrases.PERSONA
    opener = writer.add(friend, fill(rng.choice(topic["openers"]), rng))
    first_reply = True
    for _ in range(rng.randint(2, 5)):
        writer.wait(20, 240)
        burst = persona_burst(topic, rng)
        for index, text in enumerate(burst):
            extra = {"reply_to_message_id": opener["id"]} if first_reply and index == 0 else {}
            if rng.random() < 0.02:
                extra["edited"] = writer.clock.strftime("%Y-%m-%dT%H:%M:%S")
            writer.add(persona, text, **extra)
            writer.wait(3, 25)
        first_reply = False
        if planted and rng.random() < 0.008:
            role, text = planted.pop(0)
            writer.add(persona if role == "persona" else friend, text)
        writer.wait(30, 300)
        speaker = friend if rng.random() < 0.75 else rng.choice(phrases.FRIENDS)
        for text in friend_turn(topic, rng):
            writer.add(speaker, text)
            writer.wait(5, 40)
        if rng.random() < 0.03:
            writer.add_link(speaker, "Look at this: ", rng.choice(LINKS))
    if rng.random() < 0.05:
        writer.add(
            persona,
            "",
            file="(File not included. Change data exporting settings to download.)",
            media_type="sticker",
            sticker_emoji=rng.choice(phrases.PERSONA_EMOJI),
        )
    if rng.random() < 0.1:
        writer.add(
            persona,
            "",
            photo="(File not included. Change data exporting settings to download.)",
            width=1280,
            height=960,
        )
    if rng.random() < 0.3:
        writer.wait(30, 200)
        writer.add(friend, rng.choice(phrases.FRIEND_CLOSERS))
        writer.add(persona, rng.choice(phrases.PERSONA_CLOSERS))


def build_export(seed: int = DEFAULT_SEED, sessions: int = DEFAULT_SESSIONS) -> dict[str, Any]:
    """Build the whole export as a dict shaped like Telegram Desktop's `result.json`."""
    rng = random.Random(seed)
    writer = SampleWriter(rng)
    creator = phrases.FRIENDS[0]
    writer.add_service(
        creator,
        "create_group",
        title=phrases.CHAT_NAME,
        members=[person["name"] for person in [phrases.PERSONA, *phrases.FRIENDS]],
    )
    planted = list(phrases.PLANTED)
    for _ in range(sessions):
        # Sessions are hours apart, so every session-splitting gap separates them.
        writer.wait(4 * 3600, 30 * 3600)
        write_session(writer, rng, planted)
    for role, text in planted:
        writer.wait(600, 3600)
        writer.add(phrases.PERSONA if role == "persona" else phrases.FRIENDS[1], text)
    return {
        "name": phrases.CHAT_NAME,
        "type": "private_group",
        "id": phrases.CHAT_ID,
        "messages": writer.messages,
    }


def write_export(out: Path, seed: int = DEFAULT_SEED, sessions: int = DEFAULT_SESSIONS) -> int:
    """Write the export to `out` as Telegram Desktop formats it; return the message count."""
    export = build_export(seed, sessions)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(export, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return len(export["messages"])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("data/sample/result.json"))
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--sessions", type=int, default=DEFAULT_SESSIONS)
    args = parser.parse_args(argv)
    count = write_export(args.out, args.seed, args.sessions)
    print(f"wrote {count} messages to {args.out}")


if __name__ == "__main__":
    main()
