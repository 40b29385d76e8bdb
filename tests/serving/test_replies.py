"""Reply shaping: bursts, stop strings, speakers, repeats, message limits and streaming."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from serving.replies import ReplyShaper, speaker_stop_strings


def finish(shaper: ReplyShaper, text: str) -> list[str]:
    return shaper.finish(text)[1]


def stream(shaper: ReplyShaper, text: str) -> tuple[str, list[str], int]:
    """Feed `text` one character at a time; return the streamed text, messages, stop index."""
    sent = []
    stop_at = len(text)
    for end in range(1, len(text) + 1):
        delta, stop = shaper.update(text[:end])
        sent.append(delta)
        if stop:
            stop_at = end
            break
    delta, messages = shaper.finish(text[:stop_at])
    sent.append(delta)
    return "".join(sent), messages, stop_at


def test_burst_becomes_messages():
    assert finish(ReplyShaper("Ana"), "hey\n\nwhat's up") == ["hey", "what's up"]


def test_single_newline_stays_inside():
    assert finish(ReplyShaper("Ana"), "line one\nline two") == ["line one\nline two"]


def test_stop_string_cuts():
    shaper = ReplyShaper("Ana", stop_strings=["<|im_end|>"])
    assert finish(shaper, "fine<|im_end|>more") == ["fine"]


def test_other_speaker_line_cut():
    shaper = ReplyShaper("Ana", speaker_stop_strings(["Ben"]), ["Ben"])
    assert finish(shaper, "sure thing\nBen: and me?") == ["sure thing"]


def test_reply_as_other_speaker_dropped():
    shaper = ReplyShaper("Ana", speaker_stop_strings(["Ben"]), ["Ben"])
    assert finish(shaper, "Ben: I will answer for her") == []


def test_other_speaker_prefix_stops_stream():
    shaper = ReplyShaper("Ana", speaker_stop_strings(["Ben"]), ["Ben"])
    assert shaper.update("Ben:")[1]


def test_own_name_prefix_removed():
    assert finish(ReplyShaper("Ana"), "Ana: hi there") == ["hi there"]


def test_repeated_message_stops():
    shaper = ReplyShaper("Ana")
    _, messages, stop_at = stream(shaper, "ok\n\nsure\n\nok\n\nok\n\nok")
    assert messages == ["ok", "sure"]
    assert stop_at < len("ok\n\nsure\n\nok\n\nok\n\nok")


def test_repeat_check_ignores_case():
    assert finish(ReplyShaper("Ana"), "Hi\n\nhi") == ["Hi"]


def test_message_limit_stops():
    shaper = ReplyShaper("Ana", max_messages=2)
    _, messages, _ = stream(shaper, "one\n\ntwo\n\nthree\n\nfour")
    assert messages == ["one", "two"]


def test_stream_matches_final_text():
    text = "hey there\n\nhow was\nthe trip?\n\nBen: hi"
    shaper = ReplyShaper("Ana", speaker_stop_strings(["Ben"]), ["Ben"])
    sent, messages, _ = stream(shaper, text)
    assert sent == "\n\n".join(messages)
    assert messages == ["hey there", "how was\nthe trip?"]


def test_stream_holds_back_stop_prefix():
    shaper = ReplyShaper("Ana", stop_strings=["<|im_end|>"])
    delta, _ = shaper.update("fine<|im_")
    assert delta == "fine"


def test_stream_holds_back_incomplete_character():
    delta, _ = ReplyShaper("Ana").update("caf\ufffd")
    assert delta == "caf"


alphabet = st.sampled_from(["a", "b", " ", "\n", "\n\n", "Ben:", "Ana:", "<|im_end|>", "é"])


@given(st.lists(alphabet, max_size=30).map("".join))
def test_stream_never_takes_back(text):
    shaper = ReplyShaper("Ana", ["<|im_end|>", *speaker_stop_strings(["Ben"])], ["Ben"])
    sent, messages, _ = stream(shaper, text)
    assert sent == "\n\n".join(messages)
