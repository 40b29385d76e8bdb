"""The ML unit: export parsing, dialogue building, redaction, training, evaluation, registry."""
