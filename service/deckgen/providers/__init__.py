"""Adapters to the outside world (storage, queue; later LLMs and images), each behind a narrow port."""
