"""API key entries: only digests are stored; keys verify by id and digest; entries are validated."""

from __future__ import annotations

import pytest

from deckgen.auth import ApiKeys, KeyFormatError, entry_for, new_api_key


def test_a_new_key_verifies_and_its_entry_holds_no_secret() -> None:
    key, entry = new_api_key("reports", frozenset({"admin"}))
    line = entry.line()
    assert key not in line and key.split("_")[2] not in line
    keys = ApiKeys(f"# comment\n\n{line}\n")
    principal = keys.verify(key)
    assert principal is not None
    assert (principal.id, principal.method, principal.admin) == ("service:reports", "api_key", True)
    assert keys.verify(key[:-1] + ("A" if key[-1] != "A" else "B")) is None
    assert keys.verify("dgk_unknown0_" + "x" * 43) is None
    assert keys.verify("") is None


def test_entries_separated_by_semicolons_and_existing_keys() -> None:
    key_a, entry_a = new_api_key("a")
    key_b = "dgk_fromvault_" + "s" * 40
    entry_b = entry_for(key_b, "b", frozenset())
    keys = ApiKeys(f"{entry_a.line()}; {entry_b.line()}")
    assert len(keys) == 2
    assert keys.verify(key_a) is not None and keys.verify(key_b) is not None


@pytest.mark.parametrize(
    "text",
    [
        "onlythree fields here",
        "abcdefgh svc - md5:abc",
        "abcdefgh svc - sha256:" + "0" * 63,
        "ABC svc - sha256:" + "0" * 64,
        f"abcdefgh svc - sha256:{'0' * 64}\nabcdefgh other - sha256:{'1' * 64}",
    ],
)
def test_malformed_entries_are_refused(text: str) -> None:
    with pytest.raises(KeyFormatError):
        ApiKeys(text)
