"""Classification of WhatsApp message bodies: text, media, a deleted message or a system event.

WhatsApp writes these markers in the phone's language. The tables hold the English forms
and a set of localized ones.
NOTE: the localized forms are incomplete and several were not checked against a real export,
so a marker in a language missing here is read as plain text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from trainer.ingest.records import Kind
from trainer.ingest.whatsapp_header import INVISIBLE_CHARS, INVISIBLE_TABLE

# Android "exported without media" lines and iOS "<type> omitted" lines, casefolded, mapped to
# the media type stored as the attachment.
OMITTED_MEDIA = {
    "<media omitted>": "media",
    "<medien ausgelassen>": "media",
    "<medien ausgeschlossen>": "media",
    "<medien weggelassen>": "media",
    "<médias omis>": "media",
    "<multimedia omitido>": "media",
    "<archivo omitido>": "media",
    "<media omessi>": "media",
    "<mídia oculta>": "media",
    "<arquivo de mídia oculto>": "media",
    "<media weggelaten>": "media",
    "<без медиафайлов>": "media",
    "<medya dahil edilmedi>": "media",
    "<media tidak disertakan>": "media",
    "<メディアなし>": "media",
    "<メディアは含まれていません>": "media",
    "image omitted": "image",
    "video omitted": "video",
    "audio omitted": "audio",
    "sticker omitted": "sticker",
    "gif omitted": "gif",
    "document omitted": "document",
    "contact card omitted": "contact",
    "bild weggelassen": "image",
    "video weggelassen": "video",
    "audio weggelassen": "audio",
    "sticker weggelassen": "sticker",
    "gif weggelassen": "gif",
    "dokument weggelassen": "document",
    "kontaktkarte weggelassen": "contact",
    "imagen omitida": "image",
    "video omitido": "video",
    "audio omitido": "audio",
    "sticker omitido": "sticker",
    "live location shared": "location",
    "live-standort wird geteilt.": "location",
}

# Labels of iOS `<attached: NAME>` lines and of Android `NAME (file attached)` lines.
ATTACHED_LABELS = frozenset(
    {"attached", "adjunto", "anhang", "allegato", "anexo", "bijlage", "pièce jointe", "вложение"}
)
FILE_ATTACHED_LABELS = frozenset(
    {
        "file attached",
        "datei angehängt",
        "soubor byl přiložen",
        "archivo adjunto",
        "fichier joint",
        "file allegato",
        "arquivo anexado",
        "bestand bijgevoegd",
        "ファイル添付",
        "файл прикреплен",
        "файл прикреплён",
        "dosya ekli",
        "file terlampir",
    }
)
ATTACHED = re.compile(r"<(?P<label>[^:<>]{2,30}?)\s?:\s*(?P<file>[^<>]+)>")
FILE_ATTACHED = re.compile(r"(?P<file>[^()]*\.\w{1,6}) \((?P<label>[^()]{2,40})\)")
IOS_DOCUMENT = re.compile(r"(?P<file>.+?)(?: • .*)? document omitted", re.IGNORECASE)
# File names WhatsApp gives attachments (Android `IMG-20240301-WA0007.jpg`, iOS
# `00000012-PHOTO-2018-01-29-23-46-03.jpg`), for marker labels missing from the tables.
WHATSAPP_FILE_NAME = re.compile(
    r"(?:(?:IMG|VID|PTT|AUD|DOC|STK)-\d{8}-WA\d+|\d{8}-[A-Z]+-\d{4}(?:-\d{2}){5})\.\w{1,6}"
)

DELETED = frozenset(
    {
        "this message was deleted",
        "you deleted this message",
        "diese nachricht wurde gelöscht",
        "du hast diese nachricht gelöscht",
        "se eliminó este mensaje",
        "eliminaste este mensaje",
        "ce message a été supprimé",
        "vous avez supprimé ce message",
        "questo messaggio è stato eliminato",
        "hai eliminato questo messaggio",
        "esta mensagem foi apagada",
        "você apagou esta mensagem",
        "dit bericht is verwijderd",
        "je hebt dit bericht verwijderd",
        "это сообщение удалено",
        "вы удалили это сообщение",
        "bu mesaj silindi",
        "pesan ini telah dihapus",
    }
)

EDITED = re.compile(
    r"<(?:This message was edited|Diese Nachricht wurde bearbeitet"
    r"|Se editó este mensaje\.?|Ce message a été modifié|Questo messaggio è stato modificato"
    r"|Esta mensagem foi editada|Dit bericht is bewerkt|Сообщение изменено)>\s*$"
)

# Events that WhatsApp writes with an author in front: the group name before the encryption
# notice or `You joined using this group's invite link`, or the actor before a group rename.
QUOTE = "\"“”„«»「」'"
QUOTED = f"[{QUOTE}].*[{QUOTE}]"
SYSTEM_SENTENCE = re.compile(
    r"(?:(?:Messages and calls are end-to-end encrypted"
    r"|Messages to this (?:group|chat) are now secured with end-to-end encryption"
    r"|Nachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt"
    r"|Los mensajes y las llamadas están cifrados de extremo a extremo"
    r"|Les messages et les appels sont chiffrés de bout en bout"
    r"|This business uses a secure service from Meta"
    r"|This chat is with a business account).*"
    r"|.+ joined using this group'?s invite link"
    rf"|.+ changed the (?:group name|subject) (?:from {QUOTED} )?to {QUOTED}"
    r"|.+ changed (?:this group'?s icon|the group description)"
    r"|.+ deleted this group'?s icon"
    rf"|.+ created group {QUOTED}"
    r"|.+ a créé le groupe(?: .*)?"
    rf"|.+ hat die Gruppe (?:{QUOTED} )?erstellt\.?"
    r"|.+ creó el grupo(?: .*)?)$"
)
# Every sentence above contains one of these words, so this cheap test runs first.
SYSTEM_KEYWORD = re.compile(
    "encrypt|verschlüsselt|cifrados|chiffrés|Meta|business|group|grupo|groupe|Gruppe|subject"
)
MARKS_AND_SPACES = INVISIBLE_CHARS + " \t\u00a0\u202f"
OMITTED_ENDINGS = tuple({key.rsplit(" ", 1)[-1] for key in OMITTED_MEDIA if key[0] != "<"})
DELETED_MAX_LENGTH = max(map(len, DELETED)) + 4
# Event notices and media lines are short. Longer lines skip the patterns above, whose
# backtracking grows with the square of the line length.
MAX_NOTICE_LENGTH = 500


@dataclass(slots=True)
class Body:
    """A classified message body: its kind, the text to keep and the attachment."""

    kind: Kind
    text: str
    attachment: str | None = None
    edited: bool = False


def strip_leading_marks(text: str) -> str:
    """Remove direction marks and byte order marks at the start of a body or name."""
    return text.lstrip(INVISIBLE_CHARS)


def classify_body(text: str) -> Body:
    """Classify the text an author wrote. For media the text kept is the caption."""
    edited = False
    if text.endswith(">"):
        marker = EDITED.search(text)
        if marker is not None:
            text = text[: marker.start()].rstrip(MARKS_AND_SPACES)
            edited = True
    first, newline, caption = text.partition("\n")
    attachment = media_attachment(first)
    if attachment is not None:
        return Body("media", caption.strip(), attachment, edited)
    if not newline:
        if len(first) <= DELETED_MAX_LENGTH and _is_deleted(first):
            return Body("deleted", "", None, edited)
        if is_system_sentence(first):
            return Body("system", first, None, edited)
    return Body("text", text, None, edited)


def media_attachment(line: str) -> str | None:
    """Return the file name or media type a media line names, or None for other lines."""
    line = line.strip(MARKS_AND_SPACES)
    if line.startswith("<"):
        media_type = OMITTED_MEDIA.get(line.casefold())
        if media_type is not None:
            return media_type
        match = ATTACHED.fullmatch(line)
        if match and _known_label(match, ATTACHED_LABELS):
            return _file_name(match)
    elif line.endswith(")"):
        match = FILE_ATTACHED.fullmatch(line)
        if match and _known_label(match, FILE_ATTACHED_LABELS):
            return _file_name(match)
    elif line.endswith(OMITTED_ENDINGS) and len(line) <= MAX_NOTICE_LENGTH:
        media_type = OMITTED_MEDIA.get(line.casefold())
        if media_type is not None:
            return media_type
        match = IOS_DOCUMENT.fullmatch(line)
        if match:
            return _file_name(match)
    return None


def is_system_sentence(line: str) -> bool:
    """True for a one-line event notice such as `Ana Test changed the group name to “x”`."""
    if len(line) > MAX_NOTICE_LENGTH or SYSTEM_KEYWORD.search(line) is None:
        return False
    return SYSTEM_SENTENCE.match(line) is not None


def _is_deleted(line: str) -> bool:
    return line.strip(MARKS_AND_SPACES).rstrip(".").casefold() in DELETED


def _known_label(match: re.Match[str], labels: frozenset[str]) -> bool:
    label = match.group("label").strip().casefold()
    return label in labels or WHATSAPP_FILE_NAME.fullmatch(_file_name(match)) is not None


def _file_name(match: re.Match[str]) -> str:
    return match.group("file").translate(INVISIBLE_TABLE).strip()
