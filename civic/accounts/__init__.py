"""Accounts: registration, log-in, passwords, profile."""
