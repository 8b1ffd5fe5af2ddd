"""JSON log lines on stderr: trace ids, secrets scrubbed, exceptions summarised, every line capped."""

from __future__ import annotations

import json
import logging
import sys
from typing import Any, TextIO

from opentelemetry import trace

from deckgen.observability._redact import safe_traceback, scrub

__all__ = ["DEFAULT_MAX_RECORD_BYTES", "JsonFormatter", "configure_logging"]

DEFAULT_MAX_RECORD_BYTES = 8 * 1024
_CUT = "… [{} characters cut] …"
# At DEBUG, grpc's Cython layer logs every event-loop lookup (noise that buries ours), and the HTTP/2
# stacks log every header they encode, the Authorization header included.
_QUIET = ("grpc._cython", "hpack", "h2", "httpcore", "httpcore2")


def _shorten(text: str, by: int, keep_end: bool) -> str:
    """`text` less at least `by` characters (each character is at least one byte of the line)."""
    keep = max(0, len(text) - by - len(_CUT) - 8)
    note = _CUT.format(len(text) - keep)
    # A traceback's end (the failing frame and the error) matters more than its start.
    return note + text[len(text) - keep :] if keep_end else text[:keep] + note


class JsonFormatter(logging.Formatter):
    """One JSON object per record, at most `max_record_bytes` bytes of UTF-8 including the newline."""

    def __init__(self, max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES) -> None:
        super().__init__()
        self.max_record_bytes = max_record_bytes

    def format(self, record: logging.LogRecord) -> str:
        # Cut before scrubbing: a megabyte message costs the regular expressions a megabyte.
        message = record.getMessage()[: self.max_record_bytes]
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": scrub(message),
            "pid": record.process,
        }
        span = trace.get_current_span().get_span_context()
        if span.is_valid:
            # The same ids as the trace backend shows, so a log line leads to its trace.
            entry["trace_id"] = format(span.trace_id, "032x")
            entry["span_id"] = format(span.span_id, "016x")
        if record.exc_info and record.exc_info[1] is not None:
            entry["exception"] = safe_traceback(record.exc_info[1])
        if record.stack_info:
            entry["stack"] = scrub(record.stack_info[-self.max_record_bytes :])
        return self._fit(entry)

    def _fit(self, entry: dict[str, Any]) -> str:
        line = json.dumps(entry, ensure_ascii=False)
        half = self.max_record_bytes // 2
        if len(line.encode()) + 1 > self.max_record_bytes and len(entry["message"]) > half:
            # A long message must leave room for the traceback, which says where it came from.
            entry["message"] = _shorten(entry["message"], len(entry["message"]) - half, keep_end=False)
            line = json.dumps(entry, ensure_ascii=False)
        for key, keep_end in (("exception", True), ("stack", True), ("message", False)):
            overflow = len(line.encode()) + 1 - self.max_record_bytes  # + 1: the handler's newline
            if overflow <= 0:
                return line
            if key in entry:
                entry[key] = _shorten(entry[key], overflow, keep_end)
                line = json.dumps(entry, ensure_ascii=False)
        if len(line.encode()) + 1 > self.max_record_bytes:
            # Only with a cap too small for the fixed fields: keep what identifies the record.
            line = json.dumps({k: entry[k] for k in ("time", "level", "logger")})
        return line


def configure_logging(
    level: str, *, max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES, stream: TextIO | None = None
) -> None:
    """Send every record, as a capped JSON line, to `stream` (stderr by default)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter(max_record_bytes))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    numeric = logging.getLevelNamesMapping()[level]
    for name in _QUIET:
        logging.getLogger(name).setLevel(max(numeric, logging.INFO))
