"""Garbage-collection thresholds every deckgen process runs with: the server and its render workers.

A request's or a deck's objects are freed by their reference counts; with the default thresholds
(700, 10, 10) a young collection ran every few tokens (every few hundred elements in python-pptx's
proxies) and a full one, of everything in flight, several times a burst.
"""

GC_THRESHOLDS = (10_000, 20, 100)
