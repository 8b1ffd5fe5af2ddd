"""Any exception → the domain error a caller is told: the pipeline's boundary for failures.

Adapters raise their own errors (`StorageError`), asyncio raises `TimeoutError`, and a bug raises
anything; past this function there are only `DeckgenError`s, which `deckgen.api._errors` maps to
statuses. The pipeline never names a status code itself.
"""

from __future__ import annotations

from deckgen.domain import DeadlineExceeded, DeckgenError, GenerationFailed, Unavailable
from deckgen.domain._codec import from_jsonable, to_jsonable
from deckgen.providers.storage import StorageError

__all__ = ["as_domain_error", "unexpected"]

STORAGE_RETRY_AFTER = 5.0


def as_domain_error(error: BaseException) -> DeckgenError:
    """The domain error for `error`, as a fresh value with no traceback (safe to keep in a log)."""
    match error:
        case DeckgenError():
            return from_jsonable(DeckgenError, to_jsonable(error))
        case StorageError():
            return Unavailable(
                f"the artifact store failed, so the files were not kept: {error}",
                retry_after=STORAGE_RETRY_AFTER,
                reason="STORAGE_UNAVAILABLE",
            )
        case TimeoutError():
            return DeadlineExceeded(
                "the generation ran out of time (the call's deadline or the server's TIMEOUT)",
                reason="GENERATION_TIMEOUT",
            )
        case _:
            return GenerationFailed(f"the generation failed unexpectedly ({type(error).__name__})")


def unexpected(error: BaseException) -> bool:
    """True for failures that are bugs or unexplained (worth a traceback in the log)."""
    return not isinstance(error, DeckgenError | StorageError | TimeoutError) or type(error) in (
        DeckgenError,
        GenerationFailed,
    )
