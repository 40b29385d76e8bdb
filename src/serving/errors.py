"""Errors that serving raises to its callers, each with a message that names the fix."""


class ModelNotFoundError(LookupError):
    """The registry has no such model, alias or version, or its files are incomplete."""


class ModelLoadError(RuntimeError):
    """A model version or its base model could not be loaded or does not fit together."""


class ReplyTimeoutError(TimeoutError):
    """The reply did not finish within the caller's timeout."""
