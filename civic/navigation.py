"""Redirect targets that stay on this site."""
from urllib.parse import urlsplit


def safe_next(target, default="/"):
    """``target`` when it is a path on this site, else ``default`` (no open redirect)."""
    if not target or not isinstance(target, str):
        return default
    target = target.strip()
    if any(ord(c) < 32 or ord(c) == 127 for c in target):  # CR/LF would split the Location header
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target
