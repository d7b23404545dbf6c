"""Personal data: what refers to an account, filled in by each package (registry.py)."""
