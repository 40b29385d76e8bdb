from trainer.formatting import (
    BURST_SEPARATOR,
    build_messages,
    clean_message,
    join_burst,
    split_burst,
)


def test_clean_message_collapses_blank_lines():
    assert clean_message("one\n\n\ntwo\n \nthree") == "one\ntwo\nthree"


def test_burst_round_trip():
    burst = ["hey", "are you there?\n\nreally", "ok"]
    assert split_burst(join_burst(burst)) == ["hey", "are you there?\nreally", "ok"]


def test_join_burst_drops_empty_messages():
    assert join_burst(["a", "  ", "b"]) == f"a{BURST_SEPARATOR}b"


def test_build_messages_roles():
    context = [
        {"speaker": "Ben", "is_persona": False, "messages": ["hi"]},
        {"speaker": "Ana", "is_persona": True, "messages": ["hey", "what's up"]},
        {"speaker": "Ben", "is_persona": False, "messages": ["not much"]},
    ]
    messages = build_messages(context, "Ana", group_chat=False, target=["cool"])
    assert [message["role"] for message in messages] == [
        "system",
        "user",
        "assistant",
        "user",
        "assistant",
    ]


def test_build_messages_group_chat_names_speakers():
    context = [
        {"speaker": "Ben", "is_persona": False, "messages": ["hi"]},
        {"speaker": "Cy", "is_persona": False, "messages": ["yo"]},
    ]
    messages = build_messages(context, "Ana", group_chat=True)
    assert messages[1]["content"] == f"Ben: hi{BURST_SEPARATOR}Cy: yo"


def test_build_messages_one_to_one_omits_names():
    context = [{"speaker": "Ben", "is_persona": False, "messages": ["hi"]}]
    messages = build_messages(context, "Ana", group_chat=False)
    assert messages[1]["content"] == "hi"


def test_build_messages_system_prompt_names_persona():
    messages = build_messages([], "Ana", group_chat=False)
    assert "Ana" in messages[0]["content"]
