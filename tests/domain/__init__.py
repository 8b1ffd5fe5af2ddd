"""Domain rules, tested as plain Python."""
