"""Finding proposals by words, through an index on both databases, with the same results.

Each proposal keeps ``search_text``: its title and body in lower case without accents
(civic.text.normalize_for_search), so "velo" finds "Vélo" and "VÉLOS". A word is found
anywhere in it, as a substring ("velo" finds "vélos" and "vélorue"), on both databases:

- SQLite: an FTS5 table with the trigram tokenizer over search_text (external content, kept
  by triggers), which answers substring queries of three characters or more from its index;
- PostgreSQL: a GIN trigram index (pg_trgm) on search_text, which LIKE '%word%' uses.

Words shorter than three characters have no trigram: they are matched by LIKE over the table
on both (a scan, but "5e" is a rare search and the other words of the query narrow it first).

The index is the way to a rare word, not to a common one: "velo" is in a third of the proposals,
and taking all their ids from the index to keep the ten newest costs more than reading the newest
proposals in the list's order and keeping those that contain it (a few pages of them, and the
count stops at its cap). So the index is first asked whether at least COMMON proposals contain
the words (a query that stops there): fewer, and the list keeps the ids the index gives; as
many, and the words are checked on each proposal read in the list's order. On SQLite only:
PostgreSQL's planner already weighs the trigram index against the list's order from its
statistics (measured with the probe, a common word took 153 ms instead of 65).
"""
from sqlalchemy import func, literal_column, select, text

from ..db_objects import create_with, drop_with, unmodelled
from ..extensions import db
from ..text import LIKE_ESCAPE, like_contains, search_terms
from .models import Proposal

TRIGRAM = 3
# Proposals from which words are common: checked along the list's order rather than found through the index.
COMMON = 2000

# The same statements are in the migration that created them (0012).
SQLITE_INDEX = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS proposal_search USING fts5("
    "search_text, content='proposal', content_rowid='id', tokenize='trigram')",
    "INSERT INTO proposal_search(proposal_search) VALUES ('rebuild')",
    "CREATE TRIGGER proposal_search_insert AFTER INSERT ON proposal BEGIN "
    "INSERT INTO proposal_search(rowid, search_text) VALUES (NEW.id, NEW.search_text); END",
    "CREATE TRIGGER proposal_search_delete AFTER DELETE ON proposal BEGIN "
    "INSERT INTO proposal_search(proposal_search, rowid, search_text) VALUES ('delete', OLD.id, OLD.search_text); END",
    "CREATE TRIGGER proposal_search_update AFTER UPDATE OF search_text ON proposal BEGIN "
    "INSERT INTO proposal_search(proposal_search, rowid, search_text) VALUES ('delete', OLD.id, OLD.search_text); "
    "INSERT INTO proposal_search(rowid, search_text) VALUES (NEW.id, NEW.search_text); END",
)
SQLITE_DROP = ("DROP TABLE IF EXISTS proposal_search",)
POSTGRESQL_INDEX = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX ix_proposal_search_trigram ON proposal USING gin (search_text gin_trgm_ops)",
)
unmodelled("proposal_search", "proposal_search_data", "proposal_search_idx", "proposal_search_docsize",
           "proposal_search_config", "ix_proposal_search_trigram")
create_with(Proposal.__table__, "sqlite", *SQLITE_INDEX)
drop_with(Proposal.__table__, "sqlite", *SQLITE_DROP)
create_with(Proposal.__table__, "postgresql", *POSTGRESQL_INDEX)


def _fts_phrase(term):
    return '"' + term.replace('"', '""') + '"'


def _contains(column, terms):
    return [column.like(like_contains(term), escape=LIKE_ESCAPE) for term in terms]


def _indexed(terms, dialect):
    """(conditions on Proposal: it contains every one of ``terms``, three characters or more, as the index
    finds them; on SQLite, the SELECT of the ids the index finds, to probe how many)."""
    if dialect == "sqlite":
        found = select(literal_column("rowid")).select_from(text("proposal_search")).where(
            text("proposal_search MATCH :phrases").bindparams(phrases=" AND ".join(map(_fts_phrase, terms))))
        return [Proposal.id.in_(found)], found
    return _contains(Proposal.search_text, terms), None


def _common(found):
    probe = found.limit(COMMON).subquery()
    return db.session.execute(select(func.count()).select_from(probe)).scalar_one() >= COMMON


def matching(statement, query, dialect):
    """``statement`` (over Proposal) narrowed to the proposals containing every word of ``query``."""
    terms = search_terms(query)
    indexed = [t for t in terms if len(t) >= TRIGRAM]
    if indexed:
        conditions, found = _indexed(indexed, dialect)
        if dialect == "sqlite" and _common(found):
            conditions = _contains(Proposal.search_text, indexed)
        statement = statement.where(*conditions)
    return statement.where(*_contains(Proposal.search_text, [t for t in terms if len(t) < TRIGRAM]))
