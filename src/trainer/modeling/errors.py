"""The error for training inputs that a user can fix: a missing model, dataset or bad setting."""


class TrainingSetupError(ValueError):
    """A missing or invalid training input; the message names it and how to fix it."""
