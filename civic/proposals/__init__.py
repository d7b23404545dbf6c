"""Proposals: submit, list, read, support, comment."""
