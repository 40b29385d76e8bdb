"""The sample table and its Markdown rendering."""

from __future__ import annotations

from trainer.evaluation.samples import context_preview, sample_table, samples_markdown

ROW = {
    "example_id": "c:1",
    "context": [
        {"speaker": "Theo", "is_persona": False, "messages": ["first"]},
        {"speaker": "Juniper", "is_persona": True, "messages": ["a", "b"]},
        {"speaker": "Theo", "is_persona": False, "messages": ["dinner | at 7?"]},
    ],
    "target": ["yes~", "count me in"],
}


def test_context_preview_last_turns():
    assert context_preview(ROW) == "Juniper: a / b\nTheo: dinner | at 7?"


def test_sample_table_pairs_rows():
    table = sample_table([ROW], [["sure"]], [["Of course."]])
    assert table[0]["real"] == ["yes~", "count me in"]
    assert table[0]["generated"] == ["sure"]
    assert table[0]["generated_base"] == ["Of course."]


def test_markdown_escapes_pipes():
    markdown = samples_markdown(sample_table([ROW], [["sure"]]))
    assert "dinner \\| at 7?" in markdown
    assert "yes~<br>count me in" in markdown
    assert "base model" not in markdown
