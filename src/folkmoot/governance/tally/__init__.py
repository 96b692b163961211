"""Counting votes (VOTE-1, VOTE-8, VOTE-9, VOTE-12, OFF-4, BEY-2, BEY-3): pure functions over
numpy arrays, each returning the winners and a round-by-round explanation."""
