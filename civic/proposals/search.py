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
from functools import cache

from sqlalchemy import String, bindparam, func, literal_column, select, text

from ..db_objects import create_with, drop_with, unmodelled
from ..rows import read_columns
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


def _contains(column, first, count):
    """Conditions: ``column`` contains each of ``count`` words, their LIKE patterns bound as "word_<first>"..."""
    return [column.like(bindparam(f"word_{n}", type_=String), escape=LIKE_ESCAPE) for n in range(first, first + count)]


# The proposals the FTS5 index finds (SQLite), the words bound as "phrases"; and whether they are COMMON or more.
_FOUND = select(literal_column("rowid")).select_from(text("proposal_search")).where(
    text("proposal_search MATCH :phrases").bindparams(bindparam("phrases", type_=String)))
_PROBE = select(func.count()).select_from(_FOUND.limit(COMMON).subquery())


@cache  # one per list statement (itself built once per shape of list) and shape of query: a few dozen at most
def _narrowed(statement, indexed, short, through_index):
    """``statement`` narrowed to the proposals containing ``indexed`` words of three characters or more (through
    the FTS5 index when ``through_index``) and ``short`` shorter ones, the words bound (see matching)."""
    if through_index:
        conditions = [Proposal.id.in_(_FOUND)]
    else:
        conditions = _contains(Proposal.search_text, 0, indexed)
    return statement.where(*conditions, *_contains(Proposal.search_text, indexed, short))


def matching(statement, query, dialect):
    """(``statement`` (over Proposal) narrowed to the proposals containing every word of ``query``, the values of
    its words' parameters). The narrowed statement is built once per statement and shape of query (how many words,
    whether the index is read): building it, its page's and its count's cost as much as running them."""
    terms = search_terms(query)
    indexed = [t for t in terms if len(t) >= TRIGRAM]
    short = [t for t in terms if len(t) < TRIGRAM]
    values = {f"word_{n}": like_contains(term) for n, term in enumerate(indexed + short)}
    through_index = False
    if indexed and dialect == "sqlite":
        values["phrases"] = " AND ".join(map(_fts_phrase, indexed))
        through_index = read_columns(_PROBE, values).scalar_one() < COMMON
    return _narrowed(statement, len(indexed), len(short), through_index), values
