"""Rows made in bulk, and the check that a page's SQL statements do not grow with them: the same number
of statements with N rows and with 10·N (tests/queries.py records them)."""
import random
import secrets
import string
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from civic.access import Role
from civic.accounts.models import User
from civic.db_types import utcnow
from civic.extensions import db
from civic.proposals.models import TITLE_MAX, Comment, Proposal, ProposalState
from tests.browser.crawling import gzip_size
from tests.queries import recording

STATIC = Path(__file__).resolve().parents[1] / "static"


def users(n, role=Role.RESIDENT, name="Habitant"):
    """``n`` accounts without a password (nobody logs in as them), in one commit."""
    made = [User(display_name=f"{secrets.token_hex(3)} {name}"[:80], email=f"{tag}@example.org",
                 email_normalized=f"{tag}@example.org", role=role)
            for tag in (secrets.token_hex(6) for _ in range(n))]
    db.session.add_all(made)
    db.session.commit()
    return made


def proposals(n, theme, authors, state=ProposalState.PUBLISHED, since=None, body="Pour se reposer.",
              title="Proposition"):
    """``n`` proposals, one second apart from ``since`` (a week ago by default). ``body`` and ``title``: a text, or
    a function of the proposal's rank that gives it."""
    since = since or utcnow() - timedelta(days=7)
    made = [Proposal(author_id=authors[i % len(authors)].id, theme_id=theme.id,
                     title=f"{i} {_text(title, i)}"[:TITLE_MAX],
                     body=_text(body, i),
                     state=state, created_at=since + timedelta(seconds=i), updated_at=since + timedelta(seconds=i))
            for i in range(n)]
    db.session.add_all(made)
    db.session.commit()
    return made


def comments(n, proposal, authors, body="Un avis."):
    made = [Comment(proposal_id=proposal.id, author_id=authors[i % len(authors)].id, body=_text(body, i))
            for i in range(n)]
    db.session.add_all(made)
    db.session.commit()
    return made


def _text(text, rank):
    return text(rank) if callable(text) else text


def statements_of(app, request):
    """(what ``request()`` returned, the SQL statements it ran)."""
    with recording(app) as statements:
        result = request()
    return result, statements


def assert_flat(app, request, grow, n):
    """``grow(n)``, then ``grow(9 * n)``: ``request()`` runs as many statements both times. Returns its last
    result."""
    grow(n)
    request()  # once before counting: what a first request caches is not the page's
    _, few = statements_of(app, request)
    grow(9 * n)
    result, many = statements_of(app, request)
    assert len(few) == len(many), (f"{len(few)} statements with {n} rows, {len(many)} with {10 * n}; with {10 * n}, "
                                   f"those not run with {n}:\n" + "\n".join(sorted(set(many) - set(few))[:5]))
    return result


def follow_pages(client_request, endpoint, **query):
    """Every page of a list (``query``: its filters), following its "next page" links from the first: the Pages
    in order."""
    pages = [client_request.get(endpoint, _query=query)]
    while (next_link := pages[-1].select_one('a[rel="next"]')) is not None:
        pages.append(client_request.get(endpoint, _query=_query_of(next_link["href"])))
        assert len(pages) < 1000, "the next links go round in circles"
    return pages


def previous_page(client_request, endpoint, page):
    return client_request.get(endpoint, _query=_query_of(page.select_one('a[rel="prev"]')["href"]))


def _query_of(href):
    return {key: value[0] for key, value in parse_qs(urlsplit(href).query).items()}



def words(n, seed=0):
    """``n`` words that compress about as badly as a resident's text does (the page weight's worst case)."""
    generator = random.Random(seed)
    letters = string.ascii_lowercase + "éèàç"
    return " ".join("".join(generator.choice(letters) for _ in range(generator.randint(2, 10))) for _ in range(n))


def weight(page):
    """What a first visit of ``page`` costs: its HTML and the stylesheet, gzip-compressed."""
    return gzip_size(page.html) + gzip_size((STATIC / "css" / "civic.css").read_bytes())
