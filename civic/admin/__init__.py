"""Administration: roles and themes."""
