"""Themes: what proposals are about, offered to residents and managed by admins."""
