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


class CallError(MardocError):
    """One model call failed while the model works (a reply that cannot be read, a prompt too
    long): the caller degrades on it. A :class:`BackendError` (a dead or refusing backend) is
    not one: it ends the question as an error, never shown as an answer."""


class ModelOutputError(CallError):
    """A model's output could not be parsed into the expected structure."""


class PromptTooLongError(CallError):
    """One request does not fit the model's context window (the model itself works)."""


class LimitExceededError(MardocError):
    """A configured resource limit was exceeded."""
