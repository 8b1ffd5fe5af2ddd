"""Tests of the helpers in tests/support."""
