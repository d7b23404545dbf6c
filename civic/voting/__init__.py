"""Counting the votes: the pure, readable core of Civic's decisions.

One module per method (``yes_no``, ``single_choice``, ``approval``,
``majority_judgment``, ``budget``), plus ``pabulib`` to read and write the
public Pabulib format and ``recount`` to recount a published election.
Standard library only: no web framework, no database, exact arithmetic
(integers and fractions), deterministic and documented tie-breaks.
"""
