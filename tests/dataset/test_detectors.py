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


JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwiaWF0IjoxNTE2MjM5MDIyfQ"
    ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Authorization: Bearer abc123def456ghi789jkl", "Authorization: Bearer [SECRET_1]"),
        (f"-H 'Authorization: Bearer {JWT}' -X", "-H 'Authorization: Bearer [SECRET_1]' -X"),
        ("authorization: Basic dXNlcjpwYXNzd29yZA==", "authorization: Basic [SECRET_1]"),
        (f"Bearer {JWT}", "Bearer [SECRET_1]"),
        (f"the session is {JWT}.", "the session is [SECRET_1]."),
        ("aws key AKIAIOSFODNN7EXAMPLE ok", "aws key [SECRET_1] ok"),
        ("ASIAY34FZKBOKMUTVV7A", "[SECRET_1]"),
        (
            "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "aws_secret_access_key = [SECRET_1]",
        ),
        (
            "export GITHUB_TOKEN=ghp_16C7e42F292c6912E7710c838347Ae178B4a",
            "export GITHUB_TOKEN=[SECRET_1]",
        ),
        ("try ghp_16C7e42F292c6912E7710c838347Ae178B4a", "try [SECRET_1]"),
        ("slack xoxb-123456789012-abcdefABCDEF", "slack [SECRET_1]"),
        ("token 9f86d081884c7d659a2feaa0c55ad015", "token [SECRET_1]"),
        ("X-Api-Key: 1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d", "X-Api-Key: [SECRET_1]"),
        ("the secret is Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA==", "the secret is [SECRET_1]"),
        (
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY----- ok",
            "[SECRET_1] ok",
        ),
    ],
)
def test_secret_credentials(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "fixed in commit 3f2a9c1",
        "fixed in commit 3f2a9c1d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b",
        "sha256sum gives e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "md5 d41d8cd98f00b204e9800998ecf8427e matches",
        "the bearer of bad news",
        "Bearer bonds are gone",
        "the key thing is to reboot",
        "a token of appreciation",
        "the secret ingredient 2024",
        "keys are in the drawer",
        "monkey 1234567890abcdefghij1234",
        "the key to success is persistence",
        "use the ssh key ~/.ssh/id_rsa2048_backup_key",
        "press the key combination Ctrl+Alt+F1",
        "primary key: user_id_12345678",
        "authorization failed",
        "UUID 123e4567-e89b-12d3-a456-426614174000 in fstab",
    ],
)
def test_secret_keeps_prose(text: str) -> None:
    assert redact(text) == text
