"""Find other participants' names in message text: full names, first names and last names.

Names come from the export's authors and from people that records name, so a person who
never appears in the export is not found. A first or last name shared by two people gets
its own placeholder, because the text does not say which of them it means.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

Span = tuple[int, int, str]

_TOKEN = re.compile(r"\w+(?:-\w+)*")
# Separators between the words of a full name in text: spaces, an apostrophe ("O'Brien"),
# or the dot of a middle initial ("Ivo C. Calder").
_NAME_GAP = re.compile(r"(?:\.\s*|[\s'’])[\s'’]*")
_GREETING_BEFORE = re.compile(
    r"(?:^|[\s,(])(?:hi|hey|hello|thanks|thank you|thx|ty|cheers|bye|yo|dear|sorry|ok|okay|"
    r"привет|спасибо|пока|здравствуй|ну)[,!]?\s*$|@$",
    re.IGNORECASE,
)
# Names that are also everyday words. Written in lower case they count as the name only
# where they address someone ("thanks, will", "@mark", "grace: try this").
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


def name_forms(name: str) -> tuple[list[tuple[str, ...]], list[str]]:
    """Return a name's full forms and its single words, all casefolded.

    "Ivo C. Calder" has the full forms ("ivo", "c", "calder") and ("ivo", "calder"), and
    the words "ivo" and "calder"; initials alone are never words.
    """
    folded = tuple(token.casefold() for token in name_tokens(name))
    full_forms: list[tuple[str, ...]] = []
    if len(folded) > 1:
        full_forms.append(folded)
        without_initials = tuple(token for token in folded if len(token) > 1)
        if 1 < len(without_initials) < len(folded):
            full_forms.append(without_initials)
    words = [token for token in dict.fromkeys(folded[:1] + folded[-1:]) if len(token) > 1]
    return full_forms, words


class NameMatcher:
    """Find mentions of people by full name, first name or last name.

    `keep` lists names never to redact (the persona's own). A word of a kept name that
    another person's name shares is still redacted, because it may mean that person.
    """

    def __init__(self, people: Iterable[Person], keep: Iterable[str] = ()) -> None:
        # A full name maps to its person's key. A kept full name maps to None, so its
        # words are skipped rather than redacted.
        self.full: dict[tuple[str, ...], str | None] = {}
        word_owners: dict[str, set[str]] = {}
        self.lowercase_tokens: set[str] = set()
        for person in people:
            for name in person.names:
                full_forms, words = name_forms(name)
                for form in full_forms:
                    self.full.setdefault(form, person.key)
                for word in words:
                    word_owners.setdefault(word, set()).add(person.key)
                self.lowercase_tokens.update(
                    token.casefold() for token in name_tokens(name) if token.islower()
                )
        kept_words: set[str] = set()
        for name in keep:
            full_forms, words = name_forms(name)
            for form in full_forms:
                self.full[form] = None
            kept_words.update(words)

        self.words: dict[str, str] = {}
        for word, owners in word_owners.items():
            if word in kept_words or len(owners) > 1:
                self.words[word] = f"name word:{word}"
            else:
                self.words[word] = next(iter(owners))

        # First word of a full name -> the distinct word counts of full names starting with it.
        lengths: dict[str, set[int]] = {}
        for form in self.full:
            lengths.setdefault(form[0], set()).add(len(form))
        self.full_lengths = {word: sorted(counts, reverse=True) for word, counts in lengths.items()}

    def find(self, text: str) -> Iterator[Span]:
        """Yield mentions, longest first: a full name wins over its single words."""
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
            key = self.words.get(folded[index])
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
    """Tell whether a word is used to address someone rather than inside a sentence."""
    if not before.strip():
        return bool(re.match(r"\s*[,:]", after))
    if _GREETING_BEFORE.search(before):
        return not after or bool(re.match(r"[\s,.:!?)]", after))
    return before.rstrip().endswith(",") and bool(re.fullmatch(r"[\s.!?)]*", after))
