import pytest

from trainer.dataset.config import RedactConfig
from trainer.dataset.names import NameMatcher, Person
from trainer.dataset.redaction import Redactor

PEOPLE = [
    Person("user2", ("Greta Lowell",)),
    Person("user6", ("Ivo C. Calder",)),
    Person("user3", ("Will Hart", "Will H.")),
    Person("user4", ("Анна Смирнова",)),
    Person("user5", ("greta_k",)),
]


def make_redactor(**rules) -> Redactor:
    names = NameMatcher(PEOPLE, keep=("Arlo Finch",))
    return Redactor(RedactConfig(**rules), names)


def redact(text: str, **rules) -> str:
    return make_redactor(**rules).redact(text)


@pytest.mark.parametrize(
    "phone",
    [
        "+1 (555) 123-4567",
        "+1-555-123-4567",
        "(555) 123-4567",
        "555-123-4567",
        "555.123.4567",
        "1 800 555 1234",
        "+44 20 7946 0958",
        "020 7946 0958",
        "07700 900123",
        "+7 912 345-67-89",
        "+7(912)345-67-89",
        "8 (912) 345 67 89",
        "8-912-345-67-89",
        "89123456789",
        "+79123456789",
        "8 800 555 35 35",
        "+49 30 1234567",
        "030 1234567",
        "0049 30 1234567",
        "+33 6 12 34 56 78",
        "06 12 34 56 78",
        "06.12.34.56.78",
        "+91 98765 43210",
        "+380 44 123 4567",
        "+86 138 0013 8000",
        "+55 11 91234-5678",
        "+81 3-1234-5678",
        "+61 2 1234 5678",
    ],
)
def test_redact_phone_formats(phone: str) -> None:
    assert redact(f"call {phone} today") == "call [PHONE_1] today"


@pytest.mark.parametrize("text", ["тел. 123-45-67", "phone: 1234567", "call me at 555-1234"])
def test_redact_local_phone_after_keyword(text: str) -> None:
    assert "[PHONE_1]" in redact(text)


@pytest.mark.parametrize(
    "text",
    [
        "meet on 2023-01-15 at 12:30",
        "15.01.2023 12:00",
        "01/15/2023",
        "from 9:00 to 18:00, 10:00-11:30",
        "12:30:45",
        "2008-06-03T08:28:00",
        "version 1.2.3 and 10.04",
        "Python 3.11.4",
        "linux 2.6.24-19-generic",
        "kernel 2.6.24.19",
        "adblock_plus-1.0.2.1-fx.xpi",
        "$1,299.99",
        "1 299 руб",
        "2 500 000 ₽",
        "€ 45,50",
        "1 234 567,89 €",
        "80 000 000 000",
        "42 and 2024 and 100000",
        "3.14159",
        "1920x1080",
        "port 8080",
        "1212481680",
        "ISBN 978-3-16-148410-0",
        "in 2010 2011 2012",
        "error code 1234",
        "zip code 10115",
        "exit code 1",
        "HP dv8000 with Broadcom 4311",
        "127.0.0.1 and ::1",
        "std::vector<int>",
        "password issues on the laptop",
        "a password-protected zip",
        "see https://help.ubuntu.com/community/SettingUpNFSHowTo",
        "https://releases.ubuntu.com/10.04/ubuntu-10.04-desktop-i386.iso",
        "I will try it",
    ],
)
def test_redact_keeps_non_secrets(text: str) -> None:
    assert redact(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mail greta.l+x@mail.example.com.", "mail [EMAIL_1]."),
        ("почта: иван@почта.рф", "почта: [EMAIL_1]"),
        ("card 4111 1111 1111 1111 exp", "card [CARD_1] exp"),
        ("card 4111-1111-1111-1111", "card [CARD_1]"),
        ("card 5500000000000004", "card [CARD_1]"),
        ("amex 3782 822463 10005", "amex [CARD_1]"),
        ("iban DE89 3704 0044 0532 0130 00 please", "iban [IBAN_1] please"),
        ("GB82 WEST 1234 5698 7654 32", "[IBAN_1]"),
        ("FR1420041010050500013M02606.", "[IBAN_1]."),
        ("ping 192.168.1.10 now", "ping [IP_1] now"),
        ("ip 10.0.0.1:8080", "ip [IP_1]:8080"),
        ("2001:db8::8a2e:370:7334", "[IP_1]"),
        ("https://bob:hunter2@example.com/x", "https://[SECRET_1]@example.com/x"),
        (
            "https://example.com/reset/8f14e45fceea167a5a36dedd4bea2543",
            "https://example.com/reset/[SECRET_1]",
        ),
        (
            "https://example.com/login?token=abc123&page=2",
            "https://example.com/login?token=[SECRET_1]&page=2",
        ),
        (
            "https://example.com/cb#access_token=eyJhbGciOi&state=2",
            "https://example.com/cb#access_token=[SECRET_1]&state=2",
        ),
        ("https://t.me/+AbCdEfGhIjK12", "https://t.me/[SECRET_1]"),
        ("my password is hunter2", "my password is [SECRET_1]"),
        ("пароль: qwerty", "пароль: [SECRET_1]"),
        ("api key: sk_live_51HxYzAbC123", "api key: [SECRET_1]"),
        ("code: 123456", "code: [CODE_1]"),
        ("код 4821", "код [CODE_1]"),
        ("код подтверждения 4821", "код подтверждения [CODE_1]"),
        ("Your verification code is 739201.", "Your verification code is [CODE_1]."),
        ("4821 — ваш код", "[CODE_1] — ваш код"),
        ("123456 is your login code", "[CODE_1] is your login code"),
    ],
)
def test_redact_rules(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_redact_card_needs_luhn() -> None:
    assert redact("4111 1111 1111 1112") == "4111 1111 1111 1112"


def test_redact_iban_needs_checksum() -> None:
    assert redact("DE89 3704 0044 0532 0130 01") == "DE89 3704 0044 0532 0130 01"


def test_redact_consistent_placeholders() -> None:
    redactor = make_redactor()
    first = redactor.redact("mail bob@example.com or call +44 20 7946 0958")
    second = redactor.redact("again: BOB@example.com, 020 7946 0958 is not the same")
    third = redactor.redact("and alice@example.com")
    assert first == "mail [EMAIL_1] or call [PHONE_1]"
    assert second == "again: [EMAIL_1], [PHONE_2] is not the same"
    assert third == "and [EMAIL_2]"


def test_redact_counts() -> None:
    redactor = make_redactor()
    redactor.redact("bob@example.com bob@example.com eve@example.com")
    assert redactor.counts()["email"] == {
        "replacements": 3,
        "distinct_values": 2,
        "enabled": True,
    }


def test_redact_rule_switched_off() -> None:
    text = "mail bob@example.com, call +44 20 7946 0958, code: 123456, Greta"
    assert redact(text, email=False, phone=False, code=False, name=False) == text


def test_redact_names_full_and_first() -> None:
    redactor = make_redactor()
    assert redactor.redact("Greta Lowell, try this") == "[NAME_1], try this"
    assert redactor.redact("thanks greta!") == "thanks [NAME_1]!"
    assert redactor.redact("GRETA look") == "[NAME_1] look"


def test_redact_names_last_name() -> None:
    assert redact("ask Lowell, or lowell") == "ask [NAME_1], or [NAME_1]"


def test_redact_names_middle_initial() -> None:
    redactor = make_redactor()
    assert redactor.redact("Ivo C. Calder: hi") == "[NAME_1]: hi"
    assert redactor.redact("Ivo Calder and Calder and Ivo") == "[NAME_1] and [NAME_1] and [NAME_1]"
    assert redactor.redact("plan C. Ok") == "plan C. Ok"


def test_redact_names_word_boundary() -> None:
    assert redact("Gretal and Willow and Gretas") == "Gretal and Willow and Gretas"


def test_redact_names_cyrillic() -> None:
    assert redact("Анна Смирнова и анна") == "[NAME_1] и [NAME_1]"


def test_redact_names_nickname() -> None:
    assert redact("ask greta_k about it") == "ask [NAME_1] about it"


def test_redact_common_word_name_in_address() -> None:
    redactor = make_redactor()
    assert redactor.redact("I will check") == "I will check"
    assert redactor.redact("thanks will") == "thanks [NAME_1]"
    assert redactor.redact("will: try it") == "[NAME_1]: try it"
    assert redactor.redact("Will, try it") == "[NAME_1], try it"


def test_redact_names_speaker_matches_mentions() -> None:
    redactor = make_redactor()
    assert redactor.speaker("user2", "Greta Lowell") == "[NAME_1]"
    assert redactor.redact("Greta said so") == "[NAME_1] said so"


def test_redact_persona_name_kept() -> None:
    assert redact("Arlo Finch here, Arlo again") == "Arlo Finch here, Arlo again"


def test_redact_persona_name_when_configured() -> None:
    people = [*PEOPLE, Person("user1", ("Arlo Finch",))]
    redactor = Redactor(RedactConfig(persona_name=True), NameMatcher(people))
    assert redactor.redact("Arlo Finch here, Arlo again") == "[NAME_1] here, [NAME_1] again"


def test_redact_shared_first_name_ambiguous() -> None:
    people = [Person("a", ("Dana Marlow",)), Person("b", ("Dana Dunmore",))]
    redactor = Redactor(RedactConfig(), NameMatcher(people))
    assert redactor.redact("Dana Marlow, Dana Dunmore, Dana") == "[NAME_1], [NAME_2], [NAME_3]"


def test_redact_persona_first_name_shared() -> None:
    # The persona's first name also belongs to someone else, so it may mean that person.
    people = [Person("b", ("Arlo Stone",))]
    redactor = Redactor(RedactConfig(), NameMatcher(people, keep=("Arlo Finch",)))
    assert redactor.redact("Arlo Finch and Arlo") == "Arlo Finch and [NAME_1]"


def test_redact_speaker_without_name_rule() -> None:
    redactor = make_redactor(name=False)
    assert redactor.speaker("user2", "Greta Lowell") == "Greta Lowell"


def test_redact_overlap_first_rule_wins() -> None:
    text = "https://admin:S3cret@192.168.1.1/setup"
    assert redact(text) == "https://[SECRET_1]@[IP_1]/setup"


def test_redact_name_glued_to_email() -> None:
    text = "scp file Ivo C. Calder@example.com:~/"
    assert redact(text) == "scp file [NAME_1]. [EMAIL_1]:~/"
