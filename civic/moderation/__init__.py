"""Moderation: settings, reports by residents, the moderator's queue and decisions, the public journal."""
