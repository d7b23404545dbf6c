"""Pages that belong to no feature: home, language switch."""
