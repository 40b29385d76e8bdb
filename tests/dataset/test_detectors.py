"""IP addresses and secrets in prose: what is redacted and what stays."""

import pytest

from trainer.dataset.config import RedactConfig
from trainer.dataset.redaction import Redactor


def redact(text: str) -> str:
    return Redactor(RedactConfig(name=False)).redact(text)


@pytest.mark.parametrize(
    "text",
    [
        "server 81.2.69.160",
        "Server: 81.2.69.160",
        "moved over 81.2.69.160",
        "driver 81.2.69.160",
        "server 203.0.113.45",
        "the cover 81.2.69.160",
        "never 81.2.69.160",
        "whatever 81.2.69.160",
        "receiver 81.2.69.160",
        "observer:81.2.69.160",
        "a-very-long-fileserver 81.2.69.160",
        "host 81.2.69.160",
        "(81.2.69.160)",
    ],
)
def test_ip_after_near_miss_words(text: str) -> None:
    redacted = redact(text)
    assert "81.2.69.160" not in redacted
    assert "203.0.113.45" not in redacted
    assert "[IP_1]" in redacted


@pytest.mark.parametrize(
    "text",
    [
        "version 1.2.3.4",
        "Version: 1.2.3.4",
        "v10.0.0.1",
        "v 10.0.0.1",
        "kernel 5.15.0.91",
        "kernel-5.15.0.91",
        "ver. 2.0.1.7",
        "ver 2.0.1.7",
        "linux 4.4.0.21",
        "release 3.2.1.0",
        "adblock_plus-1.0.2.1-fx.xpi",
    ],
)
def test_ip_keeps_versions(text: str) -> None:
    assert redact(text) == text
