"""Participatory processes: dated phases, the technical study of their proposals, the vote built from the feasible ones."""
