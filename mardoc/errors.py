"""Errors mardoc raises for problems a user can act on.

Every subclass carries a one-line message naming the problem and what to do;
the CLI prints it without a traceback (``-v`` shows one).
"""

from __future__ import annotations


class MardocError(Exception):
    """Base class: a problem the user can fix, reported as one line."""


class ConfigError(MardocError, ValueError):
    """Settings are invalid or name something that does not exist."""


class DocumentError(MardocError):
    """A document cannot be ingested (missing, not a PDF, corrupt, encrypted, empty)."""


class ModelNotInstalledError(MardocError):
    """A bundled model is needed but has not been provisioned."""


class ProvisioningError(MardocError):
    """Downloading, assembling or verifying a bundled model failed."""


class BackendError(MardocError):
    """A model or vector-store backend failed or cannot be reached."""


class StoreLockedError(MardocError):
    """The embedded store is held by another process."""


class ModelOutputError(MardocError):
    """A model's output could not be parsed into the expected structure."""


class PromptTooLongError(MardocError):
    """One request does not fit the model's context window (the model itself works)."""


class LimitExceededError(MardocError):
    """A configured resource limit was exceeded."""
