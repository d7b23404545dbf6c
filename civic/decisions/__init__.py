"""Decisions: consultations and votes, ballots kept secret, results anyone can recount."""
