from tests.dataset.helpers import dialogue
from trainer.dataset.examples import ExampleBuilder, ExampleOptions, count_tokens_approx
from trainer.dataset.sessions import DialogueMessage, build_sessions


def make_builder(
    messages: list[DialogueMessage], count_tokens=count_tokens_approx, **options
) -> ExampleBuilder:
    settings = {
        "context_max_tokens": 512,
        "context_max_turns": 16,
        "target_max_tokens": 256,
        "require_reply": True,
    }
    settings.update(options)
    return ExampleBuilder(
        ExampleOptions(**settings),
        persona="Arlo Finch",
        group_chats={"telegram:1"},
        messages_by_id={(item.chat_id, item.id): item for item in messages},
        count_tokens=count_tokens,
    )


def examples_of(messages: list[DialogueMessage], **options):
    builder = make_builder(messages, **options)
    sessions = build_sessions(messages, 3600, 600)
    return [example for session in sessions for example in builder.build(session)], builder


def test_count_tokens_approx_words() -> None:
    assert count_tokens_approx("hello there") == 4


def test_count_tokens_approx_symbols() -> None:
    assert count_tokens_approx("ok!") == 2


def test_example_target_is_persona_burst() -> None:
    messages = [
        dialogue(1, "user2", "hi", 0),
        dialogue(2, "user1", "hey", 1),
        dialogue(3, "user1", "what's up", 2),
    ]
    examples, _ = examples_of(messages)
    assert [example.target for example in examples] == [["hey", "what's up"]]


def test_example_context_keeps_speakers() -> None:
    messages = [
        dialogue(1, "user2", "hi", 0),
        dialogue(2, "user3", "hello all", 1),
        dialogue(3, "user1", "hey", 2),
    ]
    examples, _ = examples_of(messages)
    assert examples[0].context == [
        {"speaker": "Greta Lowell", "is_persona": False, "messages": ["hi"]},
        {"speaker": "Finn Ellery", "is_persona": False, "messages": ["hello all"]},
    ]


def test_example_context_includes_persona_turns() -> None:
    messages = [
        dialogue(1, "user2", "hi", 0),
        dialogue(2, "user1", "hey", 1),
        dialogue(3, "user2", "how are you?", 2),
        dialogue(4, "user1", "fine", 3),
    ]
    examples, _ = examples_of(messages)
    assert [turn["is_persona"] for turn in examples[1].context] == [False, True, False]


def test_example_fields() -> None:
    messages = [dialogue(1, "user2", "hi", 0), dialogue(2, "user1", "hey", 1)]
    example = examples_of(messages)[0][0]
    assert example.example_id == "telegram:1/0/2"
    assert example.session_id == "telegram:1/0"
    assert example.group_chat is True
    assert example.persona == "Arlo Finch"
    assert example.target_ts == "2024-03-01T09:01:00"


def test_opener_is_not_target() -> None:
    messages = [dialogue(1, "user1", "anyone here?", 0), dialogue(2, "user2", "yes", 1)]
    examples, builder = examples_of(messages)
    assert examples == []
    assert builder.skipped["not_a_reply"] == 1


def test_opener_target_when_configured() -> None:
    messages = [dialogue(1, "user1", "anyone here?", 0), dialogue(2, "user2", "yes", 1)]
    examples, _ = examples_of(messages, require_reply=False)
    assert [(example.context, example.target) for example in examples] == [([], ["anyone here?"])]


def test_context_respects_token_budget() -> None:
    messages = [
        dialogue(number, "user2", f"message number {number}", number) for number in range(1, 9)
    ]
    messages.append(dialogue(9, "user1", "ok", 9))
    examples, _ = examples_of(messages, context_max_tokens=20)
    context_messages = examples[0].context[0]["messages"]
    # Each message costs 2 + 2 + 1 = 5 approximate tokens and a turn 4 more, so 3 fit.
    assert context_messages == ["message number 6", "message number 7", "message number 8"]


def test_context_respects_turn_limit() -> None:
    messages = []
    for number in range(1, 7):
        messages.append(dialogue(number, "user2" if number % 2 else "user3", f"m{number}", number))
    messages.append(dialogue(7, "user1", "ok", 7))
    examples, _ = examples_of(messages, context_max_turns=2)
    assert [turn["messages"] for turn in examples[0].context] == [["m5"], ["m6"]]


def test_context_truncates_huge_message() -> None:
    messages = [dialogue(1, "user2", "word " * 200, 0), dialogue(2, "user1", "ok", 1)]
    examples, _ = examples_of(messages, context_max_tokens=30)
    kept = examples[0].context[0]["messages"][0]
    assert kept.startswith("…")
    assert count_tokens_approx(kept) <= 26


def test_reply_to_pulls_old_message() -> None:
    messages = [dialogue(1, "user3", "how do I mount a usb disk?", 0)]
    messages += [dialogue(n, "user2", f"unrelated {n}", n) for n in range(2, 12)]
    messages.append(dialogue(12, "user1", "sudo mount /dev/sdb1 /mnt", 12, reply_to="1"))
    examples, _ = examples_of(messages, context_max_turns=3)
    context = examples[0].context
    assert context[0] == {
        "speaker": "Finn Ellery",
        "is_persona": False,
        "messages": ["how do I mount a usb disk?"],
    }
    assert examples[0].context_message_ids[0] == "1"


def test_reply_to_inside_window_not_repeated() -> None:
    messages = [
        dialogue(1, "user2", "question", 0),
        dialogue(2, "user1", "answer", 1, reply_to="1"),
    ]
    examples, _ = examples_of(messages)
    assert [turn["messages"] for turn in examples[0].context] == [["question"]]


def test_reply_to_earlier_session() -> None:
    messages = [
        dialogue(1, "user2", "question from yesterday", 0),
        dialogue(2, "user1", "got it", 24 * 60, reply_to="1"),
    ]
    examples, _ = examples_of(messages)
    assert examples[0].context[0]["messages"] == ["question from yesterday"]
    assert examples[0].session_id == "telegram:1/1"


def test_reply_to_future_ignored() -> None:
    messages = [
        dialogue(1, "user2", "hi", 0),
        dialogue(2, "user1", "see below", 1, reply_to="3"),
        dialogue(3, "user2", "later message", 2),
    ]
    examples, _ = examples_of(messages)
    assert [turn["messages"] for turn in examples[0].context] == [["hi"]]


def test_reply_to_missing_message_ignored() -> None:
    messages = [dialogue(1, "user2", "hi", 0), dialogue(2, "user1", "yo", 1, reply_to="404")]
    examples, _ = examples_of(messages)
    assert [turn["messages"] for turn in examples[0].context] == [["hi"]]


def test_context_never_after_target() -> None:
    messages = [dialogue(n, "user1" if n % 3 == 0 else "user2", f"m{n}", n) for n in range(1, 30)]
    examples, _ = examples_of(messages)
    times = {item.id: item.ts for item in messages}
    for example in examples:
        target_time = times[example.target_message_ids[0]]
        assert all(times[ident] < target_time for ident in example.context_message_ids)


def test_target_keeps_leading_messages() -> None:
    messages = [
        dialogue(1, "user2", "hi", 0),
        dialogue(2, "user1", "short", 1),
        dialogue(3, "user1", "word " * 100, 2),
    ]
    examples, _ = examples_of(messages, target_max_tokens=50)
    assert examples[0].target == ["short"]


def test_target_too_long_skipped() -> None:
    messages = [dialogue(1, "user2", "hi", 0), dialogue(2, "user1", "word " * 100, 1)]
    examples, builder = examples_of(messages, target_max_tokens=50)
    assert examples == []
    assert builder.skipped["target_too_long"] == 1


def test_custom_token_counter() -> None:
    messages = [dialogue(n, "user2", f"m{n}", n) for n in range(1, 6)]
    messages.append(dialogue(6, "user1", "ok", 6))
    builder = make_builder(messages, lambda text: 10, context_max_tokens=4 + 3 * 10)
    session = build_sessions(messages, 3600, 600)[0]
    example = next(builder.build(session))
    assert example.context[0]["messages"] == ["m3", "m4", "m5"]
    assert example.target_tokens == 10


def test_follow_up_reply_is_target() -> None:
    # The persona's second burst follows its own first one but replies to Greta's question.
    messages = [
        dialogue(1, "user2", "how do I list disks?", 0),
        dialogue(2, "user1", "one sec", 1),
        dialogue(3, "user1", "lsblk", 15, reply_to="1"),
    ]
    examples, _ = examples_of(messages)
    assert [example.target for example in examples] == [["one sec"], ["lsblk"]]


def test_follow_up_without_reply_skipped() -> None:
    messages = [
        dialogue(1, "user2", "how do I list disks?", 0),
        dialogue(2, "user1", "one sec", 1),
        dialogue(3, "user1", "anyway, off to lunch", 15),
    ]
    examples, builder = examples_of(messages)
    assert [example.target for example in examples] == [["one sec"]]
    assert builder.skipped["not_a_reply"] == 1
