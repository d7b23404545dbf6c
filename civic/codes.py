"""Codes people read aloud and type back: receipts' follow-up codes and ballots' tracking codes.

No ambiguous characters (0/O, 1/I/L); drawn by the operating system's secure generator; typed
back in any case, with spaces or dashes.
"""
import re
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def random_code(length):
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def typed_code(text):
    """A code as typed ("abcd-2345 ") in the form it is stored ("ABCD2345")."""
    return re.sub(r"[\s-]", "", text or "").upper()
