"""Find other participants' names in message text: full names and first names.

Names come from the export's authors, so only people who wrote in the chat are found. A
first name shared by two people gets its own placeholder, because the text does not say
which of them it means.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

Span = tuple[int, int, str]

_TOKEN = re.compile(r"\w+(?:-\w+)*")
_NAME_GAP = re.compile(r"[\s'’]+")
_GREETING_BEFORE = re.compile(
    r"(?:^|[\s,(])(?:hi|hey|hello|thanks|thank you|thx|ty|cheers|bye|yo|dear|sorry|ok|okay|"
    r"привет|спасибо|пока|здравствуй|ну)[,!]?\s*$|@$",
    re.IGNORECASE,
)
# First names that are also everyday words. Written in lower case they count as the name
# only where they address someone ("thanks, will", "@mark", "grace: try this").
_COMMON_WORD_NAMES_TEXT = """
    amber april art august autumn bell bill black brown chase cliff crystal dale dawn don
    drew faith frank gene glen grace green guy hall heath holly hope hunter iris ivy jack joy
    june king lily long love mark max may miles nick page park pat pearl penny price ray rich
    river rob rose ruby rusty sandy sky storm sue summer sunny ward white will win wood young
    вера влад лев любовь мир мира надежда роман слава
"""
COMMON_WORD_NAMES = frozenset(_COMMON_WORD_NAMES_TEXT.split())


@dataclass(frozen=True)
class Person:
    """A participant whose names are redacted: the placeholder key and display names."""

    key: str
    names: tuple[str, ...]


def name_tokens(name: str) -> list[str]:
    """Split a display name into the words a mention would use, dropping numbers."""
    return [token for token in _TOKEN.findall(name) if not token.isdigit()]


class NameMatcher:
    """Find mentions of people by full name or first name.

    `keep` lists names never to redact (the persona's own). A first name in `keep` that
    another person shares is still redacted, because it may mean that person.
    """

    def __init__(self, people: Iterable[Person], keep: Iterable[str] = ()) -> None:
        self.full: dict[tuple[str, ...], str | None] = {}
        first_owners: dict[str, set[str]] = {}
        self.lowercase_tokens: set[str] = set()
        for person in people:
            for name in person.names:
                tokens = name_tokens(name)
                if not tokens:
                    continue
                folded = tuple(token.casefold() for token in tokens)
                if len(folded) > 1:
                    self.full.setdefault(folded, person.key)
                if len(folded[0]) >= 2:
                    first_owners.setdefault(folded[0], set()).add(person.key)
                if tokens[0].islower():
                    self.lowercase_tokens.add(folded[0])
        kept_full = {tuple(token.casefold() for token in name_tokens(name)) for name in keep}
        kept_first = {tokens[0] for tokens in kept_full if tokens}
        # A kept full name maps to None, so its words are skipped rather than redacted.
        for tokens in kept_full:
            if len(tokens) > 1:
                self.full[tokens] = None
        self.first: dict[str, str] = {}
        for token, owners in first_owners.items():
            if token in kept_first or len(owners) > 1:
                self.first[token] = f"first name:{token}"
            else:
                self.first[token] = next(iter(owners))
        # First word of a full name -> the distinct word counts of full names starting with it.
        lengths: dict[str, set[int]] = {}
        for tokens in self.full:
            lengths.setdefault(tokens[0], set()).add(len(tokens))
        self.full_lengths = {word: sorted(counts, reverse=True) for word, counts in lengths.items()}

    def find(self, text: str) -> Iterator[Span]:
        """Yield mentions, longest first: a full name wins over its first word."""
        tokens = list(_TOKEN.finditer(text))
        folded = [token.group().casefold() for token in tokens]
        index = 0
        while index < len(tokens):
            length = self._full_name_length(text, tokens, folded, index)
            if length:
                key = self.full[tuple(folded[index : index + length])]
                if key is not None:
                    yield tokens[index].start(), tokens[index + length - 1].end(), key
                index += length
                continue
            key = self.first.get(folded[index])
            if key is not None and self._case_matches(text, tokens[index]):
                yield tokens[index].start(), tokens[index].end(), key
            index += 1

    def _full_name_length(
        self, text: str, tokens: list[re.Match[str]], folded: list[str], index: int
    ) -> int:
        for length in self.full_lengths.get(folded[index], ()):
            if index + length > len(tokens):
                continue
            if tuple(folded[index : index + length]) not in self.full:
                continue
            gaps = (
                text[tokens[position].end() : tokens[position + 1].start()]
                for position in range(index, index + length - 1)
            )
            if all(_NAME_GAP.fullmatch(gap) for gap in gaps):
                return length
        return 0

    def _case_matches(self, text: str, token: re.Match[str]) -> bool:
        written = token.group()
        folded = written.casefold()
        if not written.islower() or folded in self.lowercase_tokens:
            return True
        if folded not in COMMON_WORD_NAMES:
            return True
        return _addresses_someone(text[: token.start()], text[token.end() :])


def _addresses_someone(before: str, after: str) -> bool:
    """Tell whether a word stands where a name addresses someone, not inside a sentence."""
    if not before.strip():
        return bool(re.match(r"\s*[,:]", after))
    if _GREETING_BEFORE.search(before):
        return not after or bool(re.match(r"[\s,.:!?)]", after))
    return before.rstrip().endswith(",") and bool(re.fullmatch(r"[\s.!?)]*", after))
