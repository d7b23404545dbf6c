"""Consultations' questionnaires: questions, answers online and at counters, counts, moderation of free texts,
synthesis."""
