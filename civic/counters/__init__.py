"""Mediation counters: assisted entry on behalf of residents who are present."""
