"""Administration: accounts and roles, districts, the staff log."""
