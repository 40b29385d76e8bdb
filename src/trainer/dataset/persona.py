"""Choose the persona's author ids from the participants of the exports."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from trainer.dataset.config import PrepareError
from trainer.ingest.participants import Participant
from trainer.ingest.report import plural

CANDIDATES_SHOWN = 10


@dataclass(frozen=True)
class Persona:
    """The persona's author ids (aliases across chats) and the display name for prompts."""

    ids: tuple[str, ...]
    name: str
    names: tuple[str, ...]


def resolve_persona(
    participants: Sequence[Participant], ids: Sequence[str], name: str | None
) -> Persona:
    """Pick the participants named by author id and by display name.

    Raises PrepareError when nothing is chosen, an id is unknown, or the display name
    matches no author or several.
    """
    by_id = {participant.author_id: participant for participant in participants}
    chosen: list[Participant] = []
    for author_id in ids:
        participant = by_id.get(author_id)
        if participant is None:
            raise PrepareError(
                f"persona {author_id!r} not found among the authors of the input; "
                f"pass --persona with one of these author ids:\n{_top(participants)}"
            )
        chosen.append(participant)
    if name is not None:
        chosen.append(_by_name(participants, name))
    if not chosen:
        raise PrepareError(
            "no persona chosen; pass --persona AUTHOR_ID (or set prepare.persona_ids), "
            f"for example one of:\n{_top(participants)}"
        )
    unique = list({participant.author_id: participant for participant in chosen}.values())
    main = max(unique, key=lambda participant: participant.messages)
    names = sorted({display for participant in unique for display in participant.names})
    return Persona(tuple(p.author_id for p in unique), main.name, tuple(names))


def alias_warning(participants: Sequence[Participant], persona: Persona) -> str | None:
    """Return a warning that lists the authors merged into one persona, or None for one author.

    Merging is right for one person's accounts, but a `--persona` and a `--persona-name`
    that name two people would merge them without it.
    """
    if len(persona.ids) < 2:
        return None
    by_id = {participant.author_id: participant for participant in participants}
    listed = ", ".join(
        f"{author_id} ({', '.join(repr(name) for name in by_id[author_id].names)})"
        for author_id in persona.ids
    )
    return (
        f"{len(persona.ids)} authors are treated as one persona {persona.name!r}: {listed}; "
        "that is right for one person's accounts, otherwise pass only that person's author ids"
    )


def _by_name(participants: Sequence[Participant], name: str) -> Participant:
    wanted = name.strip().casefold()
    matches = [
        participant
        for participant in participants
        if any(display.strip().casefold() == wanted for display in participant.names)
    ]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise PrepareError(
            f"no author has the display name {name!r}; pass --persona AUTHOR_ID with one of:\n"
            f"{_top(participants)}"
        )
    raise PrepareError(
        f"the display name {name!r} belongs to {len(matches)} authors; pass --persona with "
        f"the author id you mean (repeat it for aliases):\n{_top(matches)}"
    )


def _top(participants: Sequence[Participant]) -> str:
    people = [participant for participant in participants if not participant.is_system]
    lines = [
        f"  {person.author_id}  {person.name!r}, {plural(person.messages, 'message')}"
        for person in people[:CANDIDATES_SHOWN]
    ]
    if len(people) > CANDIDATES_SHOWN:
        lines.append(
            f"  ... {len(people) - CANDIDATES_SHOWN} more; `twinchat participants` lists all"
        )
    return "\n".join(lines)
