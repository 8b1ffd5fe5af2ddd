"""Test helpers shared by the suites: servers on loopback ports, slowed engines, stubs."""
