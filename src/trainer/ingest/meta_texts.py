"""Texts that Messenger and Instagram generate in place of a message a person wrote.

Exports store events (a like, a poll update, someone leaving a group, an attachment that
was not exported) as ordinary `content` strings such as `Ana sent an attachment.`. Most
start with the sender's name or `You`, and a pattern matches only then, so a person who
writes "Ana left the group." about someone else still gets a text message.
"""

from __future__ import annotations

import re

from trainer.ingest.records import Kind

# NOTE: only the English wording is known, so in exports in other languages (for example
# German "Hans hat einen Anhang gesendet.") such texts stay text messages.
MAX_GENERATED_LENGTH = 300

# Texts that stand alone, with no actor name in front.
_STANDALONE: list[tuple[str, Kind]] = [
    (r"Liked a message", "system"),
    (r"Reacted .{1,20} to your message ?", "system"),
    (r"You are now connected on Messenger\.?", "system"),
    (r".+'s poll has multiple updates\.", "system"),
    (r"The (?:video )?(?:call|chat) ended\.", "system"),
    (r"You missed an? (?:audio |video )?call from .+", "system"),
]
# Texts that follow the actor's name, as in "Ana Test left the group.".
_AFTER_ACTOR: list[tuple[str, Kind]] = [
    (r"joined the group(?: via an invite link| by link)?\.", "system"),
    (r"left the group\.", "system"),
    (r"(?:named|renamed) the group .+", "system"),
    (r"changed the group (?:name to .+|photo\.)", "system"),
    (r"created the group\.?", "system"),
    (r"created a poll: .+", "system"),
    (r"(?:voted for|changed (?:their|his|her) vote to) .+ in the poll.*", "system"),
    (r"added .+ to the group\.", "system"),
    (r"removed .+ from the group\.", "system"),
    (r"(?:set|cleared) (?:the|your|(?:his|her|their) own) nickname.*", "system"),
    (r"(?:changed|set) the (?:chat )?(?:theme|emoji|quick reaction) to .+", "system"),
    (r"(?:started|joined) (?:a|an audio|a video|the video) (?:call|chat)\.", "system"),
    (r"missed (?:a|your) (?:audio |video )?call\.?", "system"),
    (r"(?:pinned|unpinned) a message\.", "system"),
    (r"started sharing video\.", "system"),
    (r"sent an attachment\.", "media"),
    (r"sent (?:a|an|\d+) (?:photo|video|GIF|sticker|voice message|audio|link|file)s?\.?", "media"),
    (r"sent a live location\.", "media"),
    (r"shared a (?:story|post|reel)\.?", "media"),
    (r"unsent a message\.?", "deleted"),
]


def _compile(rules: list[tuple[str, Kind]]) -> list[tuple[re.Pattern[str], Kind]]:
    return [(re.compile(pattern, re.DOTALL), kind) for pattern, kind in rules]


STANDALONE_RULES = _compile(_STANDALONE)
AFTER_ACTOR_RULES = _compile(_AFTER_ACTOR)


def generated_kind(content: str, sender: str) -> Kind | None:
    """Return the kind of an app-generated text, or None when a person wrote `content`.

    A text that starts with a name counts only when that name is `sender` or `You`.
    """
    text = content.strip()
    if len(text) > MAX_GENERATED_LENGTH:
        return None
    for pattern, kind in STANDALONE_RULES:
        if pattern.fullmatch(text):
            return kind
    for actor in (sender.strip(), "You"):
        if not actor or not text.casefold().startswith(actor.casefold() + " "):
            continue
        rest = text[len(actor) + 1 :]
        for pattern, kind in AFTER_ACTOR_RULES:
            if pattern.fullmatch(rest):
                return kind
    return None
