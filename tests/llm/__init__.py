"""The model-backed engine end to end: a real server, the real openai SDK, a loopback LLM server."""
