"""Secrets planted in a Telegram export must not reach any output of `twinchat prepare`."""

import json
import re

import pytest
from click.testing import CliRunner

from twinchat.cli import cli

# Private values and where they are planted; every one must vanish from every output.
CANARIES = {
    "email": ["greta.lowell@example.com", "i.sokolova@mail.example.ru"],
    "phone": [
        "+1 (555) 123-4567",
        "+44 20 7946 0958",
        "+7 912 345-67-89",
        "8 (912) 345 67 89",
        "+49 30 1234567",
        "+33 6 12 34 56 78",
        "+91 98765 43210",
    ],
    "card": ["4111 1111 1111 1111", "5500-0000-0000-0004"],
    "iban": ["DE89 3704 0044 0532 0130 00", "GB82WEST12345698765432"],
    "secret": [
        "8f14e45fceea167a5a36dedd4bea2543",
        "sk_live_51HxYzAbC123",
        "Tr0ub4dor",
        "abc123def456ghi789jkl",
        "AKIAIOSFODNN7EXAMPLE",
    ],
    "code": ["739201", "4821"],
    "ip": ["203.0.113.77", "81.2.69.160"],
    "name": ["Greta", "Lowell", "Bartholomew", "Quince", "Ирина", "Соколова", "Quentin"],
}
NUMBERS = ["5551234567", "2079460958", "9123456789", "301234567", "612345678", "9876543210"]

LINES = [
    ("user2", "Greta Lowell", "hi all, write me at greta.lowell@example.com"),
    ("user1", "Arlo Finch", "hey Greta, sure"),
    ("user3", "Bartholomew Quince", "my numbers: +1 (555) 123-4567 and +44 20 7946 0958"),
    ("user1", "Arlo Finch", "thanks Bartholomew Quince, noted"),
    (
        "user4",
        "Ирина Соколова",
        "мой +7 912 345-67-89 или 8 (912) 345 67 89, i.sokolova@mail.example.ru",
    ),
    ("user1", "Arlo Finch", "Ирина, спасибо! my own: +49 30 1234567"),
    ("user2", "Greta Lowell", "card 4111 1111 1111 1111, backup 5500-0000-0000-0004"),
    ("user1", "Arlo Finch", "don't post cards here greta"),
    ("user3", "Bartholomew Quince", "IBAN DE89 3704 0044 0532 0130 00 or GB82WEST12345698765432"),
    ("user1", "Arlo Finch", "ok, sent to the IBAN"),
    (
        "user4",
        "Ирина Соколова",
        "reset link https://example.com/reset/8f14e45fceea167a5a36dedd4bea2543",
    ),
    ("user1", "Arlo Finch", "use https://api.example.com/v1?api_key=sk_live_51HxYzAbC123 instead"),
    ("user2", "Greta Lowell", "panel: https://admin:Tr0ub4dor@example.org/panel from 203.0.113.77"),
    (
        "user3",
        "Bartholomew Quince",
        "server 81.2.69.160, Authorization: Bearer abc123def456ghi789jkl, AKIAIOSFODNN7EXAMPLE",
    ),
    ("user1", "Arlo Finch", "got it, code: 739201"),
    ("user4", "Ирина Соколова", "мой код 4821, звони +33 6 12 34 56 78"),
    ("user1", "Arlo Finch", "ask Quentin, or call +91 98765 43210"),
]


def telegram_export() -> dict:
    messages = []
    for number, (author_id, author, text) in enumerate(LINES, start=1):
        messages.append(
            {
                "id": number,
                "type": "message",
                "date": f"2024-03-01T09:{number:02d}:00",
                "date_unixtime": str(1709283600 + number * 60),
                "from": author,
                "from_id": author_id,
                "text": text,
            }
        )
    messages.append(
        {
            "id": 100,
            "type": "service",
            "date": "2024-03-01T09:30:00",
            "date_unixtime": str(1709283600 + 30 * 60),
            "actor": "Greta Lowell",
            "actor_id": "user2",
            "action": "invite_members",
            "members": ["Quentin Marsh"],
            "text": "",
        }
    )
    return {"name": "Canary group", "type": "private_group", "id": 42, "messages": messages}


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("canary")
    export = folder / "result.json"
    export.write_text(json.dumps(telegram_export(), ensure_ascii=False), encoding="utf-8")
    out = folder / "out"
    runner = CliRunner()
    written = runner.invoke(cli, ["prepare", str(export), "--persona", "user1", "--out", str(out)])
    report = runner.invoke(cli, ["prepare", str(export), "--persona", "user1", "--report"])
    assert written.exit_code == 0, written.output
    assert report.exit_code == 0, report.output
    texts = {"cli output": written.output, "report": report.output}
    for path in sorted(out.rglob("*")):
        if path.is_file():
            texts[str(path.relative_to(out))] = path.read_bytes().decode("utf-8", "replace")
    return texts


def test_canary_outputs_written(outputs: dict[str, str]) -> None:
    assert "preview.jsonl" in outputs
    assert "stats.json" in outputs
    assert any(name.endswith(".arrow") for name in outputs)


@pytest.mark.parametrize(
    "value", [value for values in CANARIES.values() for value in values], ids=str
)
def test_canary_value_absent(outputs: dict[str, str], value: str) -> None:
    pattern = re.compile(rf"(?<!\w){re.escape(value)}(?!\w)", re.IGNORECASE)
    leaks = [name for name, text in outputs.items() if pattern.search(text)]
    assert leaks == []


def written_numbers(text: str) -> set[str]:
    """Return every number in `text` with its spaces, dashes, dots and brackets removed."""
    return {re.sub(r"\D", "", run) for run in re.findall(r"\d[\d \u00a0().\-]*\d", text)}


@pytest.mark.parametrize("digits", NUMBERS)
def test_canary_digits_absent(outputs: dict[str, str], digits: str) -> None:
    leaks = [
        name
        for name, text in outputs.items()
        if any(digits in number for number in written_numbers(text))
    ]
    assert leaks == []


def test_canary_placeholders_present(outputs: dict[str, str]) -> None:
    preview = outputs["preview.jsonl"]
    for label in ("EMAIL", "PHONE", "CARD", "IBAN", "SECRET", "CODE", "IP", "NAME"):
        assert f"[{label}_1]" in preview, label


def test_canary_persona_name_kept(outputs: dict[str, str]) -> None:
    assert '"persona": "Arlo Finch"' in outputs["preview.jsonl"]
