"""What may leave the process in logs and traces: secrets scrubbed, exception messages summarised.

Two rules, applied wherever text is written for operators:
- anything key-like (provider keys, bearer tokens, JWTs, `api_key=…`) is replaced by `[REDACTED]`;
- an exception is told by its type and a summary we trust. Messages of foreign exceptions are
  withheld (their length is given instead): a JSON error, a validation error or an HTTP client
  error quotes whatever it was handed, which is often the caller's document or the upstream body.
"""

from __future__ import annotations

import json
import re
import traceback

__all__ = ["REDACTED", "safe_traceback", "scrub", "summarize", "truncate"]

REDACTED = "[REDACTED]"

_SECRET_PATTERNS = (
    # OpenAI-style keys: sk-…, sk-proj-…, sk-ant-… (Anthropic), rk-… (restricted).
    re.compile(r"\b(?:sk|rk)-[A-Za-z0-9_\-]{6,}"),
    # JWTs (Supabase keys and user tokens among them): three base64url parts, the first `{"…`.
    re.compile(r"\beyJ[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]*"),
    # Other vendors' well-known prefixes: GitHub, Slack, Google, AWS access key ids.
    re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{20,}|xox[abposr]-[A-Za-z0-9\-]{10,}|AIza[0-9A-Za-z_\-]{30,})"),
    re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
)
# `Bearer <token>` and `<name>=<value>` / `"<name>": "<value>"` for names that hold secrets.
_BEARER = re.compile(r"(?i)\b(bearer|basic)(\s+)[A-Za-z0-9\-._~+/]+=*")
_ASSIGNED = re.compile(
    r"""(?ix)
    \b((?:[a-z0-9]+[-_])*(?:api[-_]?key|apikey|token|secret|password|passwd|authorization|credentials?))
    (["']?\s*[:=]\s*["']?)
    ([^\s"'&,;}]+)
    """
)
_ASSIGNED_START = re.compile(r"\b[a-z0-9]", re.IGNORECASE)
"""Where `_ASSIGNED` can match: its name starts with a letter or digit at a word boundary."""
_NAME_PREFIX = re.compile(r"(?:[a-z0-9]++[-_])*+", re.IGNORECASE)
"""The words `_ASSIGNED` may take before the secret's name (`my-app-` of `my-app-token`)."""


def scrub(text: str) -> str:
    """`text` with every key-like substring replaced by `[REDACTED]`."""
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(REDACTED, text)
    text = _BEARER.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)
    return _sub_assigned(text)


def _sub_assigned(text: str) -> str:
    """`_ASSIGNED.sub(_redact_assigned, text)`, in time linear in the text.

    The pattern alone tried its name prefix from every word of a hyphenated run ("a-a-a-…": each
    try read the rest of the run), so an 8 KiB log line took 2 s. A try that fails from a word also
    fails from every later word its prefix reaches: it already tried each name those could start,
    followed by the same text. So those are skipped. A match ends after its value, at a character no
    prefix holds, so no prefix runs on past it.
    """
    out: list[str] = []
    done = 0
    reached = -1
    for start in _ASSIGNED_START.finditer(text):
        at = start.start()
        if at < done or at <= reached:
            continue
        match = _ASSIGNED.match(text, at)
        if match is None:
            prefix = _NAME_PREFIX.match(text, at)
            reached = prefix.end() if prefix is not None else at
            continue
        out.append(text[done:at])
        out.append(_redact_assigned(match))
        done = match.end()
    out.append(text[done:])
    return "".join(out)


_PROSE_WORD = re.compile(r"[a-z]{1,12}")


def _redact_assigned(match: re.Match[str]) -> str:
    name, separator, value = match.groups()
    # "resume_token: is not a token…" is a field violation, not a secret: a short lowercase word
    # after a colon is prose. A value assigned with `=`, or anything with digits or symbols, is not.
    if value == REDACTED or (":" in separator and _PROSE_WORD.fullmatch(value)):
        return match.group(0)
    return f"{name}{separator}{REDACTED}"


def truncate(text: str, limit: int) -> str:
    """At most `limit` characters, saying how much was cut."""
    if len(text) <= limit:
        return text
    note = f"… [{len(text) - limit} more characters cut]"
    return text[: max(0, limit - len(note))] + note


# Our own exceptions carry messages we wrote (and keep free of request content); their length is
# still capped, since some name a field's value.
_OWN_PREFIX = "deckgen."
_OWN_MESSAGE_LIMIT = 300


def summarize(error: BaseException) -> str:
    """A one-line description of `error` that never quotes request content or secrets."""
    if isinstance(error, json.JSONDecodeError):
        return f"{error.msg} at line {error.lineno} column {error.colno} (char {error.pos})"
    if isinstance(error, UnicodeError):
        encoding, reason = getattr(error, "encoding", "text"), getattr(error, "reason", "")
        return f"{encoding} codec: {reason} at position {getattr(error, 'start', '?')}"
    if isinstance(error, OSError) and error.errno is not None:
        return f"[Errno {error.errno}] {error.strerror}"
    status = getattr(error, "status_code", None)
    if isinstance(status, int):
        return f"HTTP {status}"  # an HTTP client's error: its text is the upstream body
    if type(error).__module__.startswith(_OWN_PREFIX):
        return scrub(truncate(str(error), _OWN_MESSAGE_LIMIT))
    if isinstance(error, BaseExceptionGroup):
        return f"{len(error.exceptions)} sub-exception(s)"
    size = len(str(error))
    return f"(message withheld, {size} characters)" if size else ""


def _name(error: BaseException) -> str:
    kind = type(error)
    module = kind.__module__
    return kind.__qualname__ if module in ("builtins", "__main__") else f"{module}.{kind.__qualname__}"


def safe_traceback(error: BaseException) -> str:
    """The traceback of `error` and of its causes, each exception told by `summarize`.

    Frames keep their file, line, function and source line (code, not data), so a traceback
    still leads to the bug.
    """
    chain: list[tuple[BaseException, str]] = []
    seen: set[int] = set()
    current: BaseException | None = error
    link = ""
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append((current, link))
        if current.__cause__ is not None:
            current, link = current.__cause__, "The above exception was the direct cause of the following:"
        elif current.__context__ is not None and not current.__suppress_context__:
            current, link = current.__context__, "During handling of the above exception, another occurred:"
        else:
            current = None
    parts: list[str] = []
    for position, (exception, _) in enumerate(reversed(chain)):
        if position:
            # The link was recorded on the exception that follows this one in the printed order.
            parts.append(f"\n{chain[len(chain) - position][1]}\n\n")
        frames = traceback.extract_tb(exception.__traceback__)
        if frames:
            parts.append("Traceback (most recent call last):\n")
            parts.extend(traceback.format_list(frames))
        summary = summarize(exception)
        parts.append(f"{_name(exception)}: {summary}\n" if summary else f"{_name(exception)}\n")
    return "".join(parts).rstrip("\n")
