"""A metropolis on top of the demo commune: what `flask seed-scale` adds, for `make bench`.

Tens of thousands of residents, a hundred thousand proposals, a million supports, hundreds of
thousands of comments, reports waiting for moderators, journals and logs, and large votes. Rows
are inserted in bulk through the real tables (no ORM objects: a million of them would take
minutes), with every column a page reads filled as the application fills it, so that every page
of the site works on them. The same data comes out each time (fixed random seed).

The demo accounts take part too: the demo resident (resident@example.org) becomes "an active
resident" with thousands of contributions, whose "my data" page the bench measures; one
proposal gathers thousands of comments.
"""
import random
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, insert, literal, literal_column, select, text

from .access import Role
from .accounts.models import User
from .accounts.passwords import hash_password
from .answers.models import Answer, AnswerStatus
from .codes import ALPHABET
from .counters.models import Channel
from .db_types import UTCDateTime, utcnow
from .decisions import ballots as codec
from .decisions.models import Ballot, BudgetRule, Decision, Method, Option, Participation
from .demo import COMMENTS as DEMO_COMMENTS, DEMO_ACCOUNTS, DEMO_PASSWORD, REPLIES
from .extensions import db
from .following.models import Follow
from .moderation.models import ModerationAction, ModerationKind, Report, ReportReason
from .proposals import kept_counts
from .proposals.models import Comment, Proposal, ProposalState, Support
from .staff_log import StaffLogEntry
from .targets import TargetType
from .text import normalize_for_search, searchable_text
from .themes.models import Theme
from .voting.majority_judgment import GRADES

CHUNK = 20_000
COMMENTS = (*DEMO_COMMENTS, *REPLIES)
YEARS = 3


@dataclass
class Sizes:
    users: int = 50_000
    proposals: int = 100_000
    supports: int = 1_000_000
    comments: int = 300_000
    # The proposal with the most comments (the bench opens its page).
    busiest_comments: int = 5_000
    # The demo resident's own contributions ("my data" of an active resident).
    active_proposals: int = 200
    active_supports: int = 3_000
    active_comments: int = 2_000
    reports: int = 20_000
    journal: int = 30_000
    follows: int = 100_000
    # Two closed votes waiting for publication; a participation is one per account and vote, so the
    # majority judgment's voters are the residents above and as many more accounts as it needs.
    vote_ballots: int = 1_000_000
    budget_ballots: int = 100_000


FIRST_NAMES = ("Camille", "Lucas", "Manon", "Yasmine", "Jean", "Chloé", "Thomas", "Fatou", "Marie", "Hugo", "Inès",
               "Gérard", "Léa", "Nicolas", "Aïcha", "Pierre", "Sofia", "Mathis", "Zoé", "Karim", "Élodie", "Paul")
LAST_NAMES = ("Martin", "Bernard", "Petit", "Haddad", "Dubois", "Moreau", "Laurent", "Diallo", "Fontaine", "Lefèvre",
              "Rousseau", "Mercier", "Nguyen", "Garcia", "Bonnet", "Lambert", "Faure", "Girard", "Roux", "Traoré")
ACTIONS = ("Créer", "Installer", "Rénover", "Agrandir", "Sécuriser", "Végétaliser", "Éclairer", "Ouvrir", "Réparer",
           "Aménager")
THINGS = ("une piste cyclable", "des arceaux vélos", "un jardin partagé", "des bancs", "un city-stade",
          "une aire de jeux", "des toilettes publiques", "un composteur", "un passage piéton", "une fontaine",
          "une bibliothèque de rue", "un parking vélo", "une zone 30", "un verger", "un abri bus")
PLACES = ("rue de la République", "avenue Jean-Jaurès", "place de la Mairie", "quartier des Tilleuls",
          "parc du Moulin", "école Pasteur", "quartier de la Gare", "vieux bourg", "collège Jules-Ferry",
          "boulevard Victor-Hugo", "square Louise-Michel", "chemin des Saules")
SENTENCES = (
    "Beaucoup d'habitants le demandent depuis longtemps.",
    "Les enfants du quartier en profiteraient tous les jours.",
    "Le coût serait modeste au regard du service rendu.",
    "Cela rendrait le quartier plus agréable et plus sûr.",
    "Les personnes âgées et les familles avec poussette en ont besoin.",
    "On pourrait s'inspirer de ce qu'a fait la commune voisine.",
    "Les associations du quartier sont prêtes à aider.",
    "Il faudrait en parler avec les riverains avant de décider.",
    "Le vélo y est aujourd'hui dangereux aux heures de pointe.",
    "L'entretien pourrait être confié aux services techniques.",
)


def _insert(table, rows):
    """Insert ``rows`` (dicts) in chunks; returns how many."""
    done = 0
    for start in range(0, len(rows), CHUNK):
        db.session.execute(insert(table), rows[start:start + CHUNK])
        done += len(rows[start:start + CHUNK])
    return done


def _ids(model, *where):
    return db.session.execute(select(model.id).where(*where).order_by(model.id)).scalars().all()


class NoDemoCommune(Exception):
    pass


class _Town:
    """What the steps share: the random generator, the clock, the accounts, themes and proposals made."""

    def __init__(self, sizes, rng, report):
        self.sizes, self.rng, self.report = sizes, rng, report
        self.now = utcnow()
        self.start = self.now - timedelta(days=365 * YEARS)
        demo = dict(db.session.execute(select(User.email_normalized, User.id).where(
            User.email_normalized.in_([email for email, _name, _role in DEMO_ACCOUNTS]))).all())
        missing = [email for email, _name, _role in DEMO_ACCOUNTS if email not in demo]
        if missing:
            raise NoDemoCommune("seed-scale adds to the demo commune: run `flask seed-demo` first.")
        self.active = demo["resident@example.org"]
        self.moderator = demo["moderateur@example.org"]
        self.elected = demo["elue@example.org"]
        self.admin = demo["admin@example.org"]
        self.themes = _ids(Theme, Theme.active)

    def moment(self):
        """A random moment of the last YEARS years."""
        return self.start + timedelta(seconds=self.rng.randrange(int((self.now - self.start).total_seconds())))


def _users(town):
    rng, first = town.rng, db.session.execute(select(func.coalesce(func.max(User.id), 0))).scalar_one()
    # One hash for all: argon2 for fifty thousand accounts would take hours, and they all log in alike.
    password_hash = hash_password(DEMO_PASSWORD)
    rows = []
    for n in range(town.sizes.users):
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        email = f"habitant{first + n + 1}@metropole.example"
        created = town.moment()
        rows.append({"email": email, "email_normalized": email, "display_name": name, "password_hash": password_hash,
                     "role": Role.RESIDENT, "active": True, "created_at": created, "email_confirmed_at": created,
                     "language": "fr", "notify_answers": True,
                     "full_name_search": normalize_for_search(name)})
    _insert(User.__table__, rows)
    town.residents = _ids(User, User.role == Role.RESIDENT, User.email_normalized.like("%@metropole.example"))
    town.report("accounts", len(town.residents))


def _proposal_row(town, author, created, n):
    rng = town.rng
    title = f"{rng.choice(ACTIONS)} {rng.choice(THINGS)} {rng.choice(PLACES)}"
    body = " ".join(rng.sample(SENTENCES, rng.randint(2, 5)))
    state, roll = ProposalState.PUBLISHED, rng.random()
    row = {"title": title, "body": body, "place": rng.choice(PLACES) if roll < 0.5 else None,
           "theme_id": town.themes[n % len(town.themes)], "author_id": author, "language": "fr",
           "created_at": created, "updated_at": created, "published_at": created, "held_by_reports": False,
           "search_text": searchable_text(title, body), "withdrawn_reason": None, "moderation_reason": None,
           "channel": Channel.ONLINE}
    if roll < 0.03:
        state, row["withdrawn_reason"] = ProposalState.WITHDRAWN, "Une proposition plus complète existe."
    elif roll < 0.04:
        state, row["moderation_reason"] = ProposalState.HIDDEN, "Propos injurieux."
    elif roll < 0.045:
        state, row["published_at"] = ProposalState.PENDING, None
    row["state"] = state
    return row


def _proposals(town):
    sizes = town.sizes
    rows = [_proposal_row(town, town.rng.choice(town.residents), town.moment(), n)
            for n in range(sizes.proposals - sizes.active_proposals)]
    rows += [_proposal_row(town, town.active, town.moment(), n) for n in range(sizes.active_proposals)]
    rows.sort(key=lambda r: r["created_at"])  # ids in the order they were written, as on a real site
    before = db.session.execute(select(func.coalesce(func.max(Proposal.id), 0))).scalar_one()
    _insert(Proposal.__table__, rows)
    # Only these get supports, comments and reports below: the demo's own already have theirs.
    town.proposals = _ids(Proposal, Proposal.id > before, Proposal.held_by_reports.is_(False),
                          Proposal.state.in_((ProposalState.PUBLISHED, ProposalState.WITHDRAWN)))
    town.report("proposals", len(rows))


def _supports(town):
    """sizes.supports supports over the published proposals, a few very popular and most with a handful
    (a Pareto law), never twice by one resident on one proposal."""
    rng, sizes, residents = town.rng, town.sizes, town.residents
    weights = [rng.paretovariate(1.2) for _ in town.proposals]
    target, cap = sizes.supports - sizes.active_supports, len(residents)
    scale = target / sum(weights)
    wanted = [min(cap, int(w * scale)) for w in weights]
    # What the cap and the rounding left out goes to the others, in proportion to their weight.
    open_ = [i for i, n in enumerate(wanted) if n < cap]
    for i in rng.choices(open_, weights=[weights[i] for i in open_], k=max(0, target - sum(wanted))):
        wanted[i] = min(cap, wanted[i] + 1)
    active_supported = set(rng.sample(town.proposals, min(sizes.active_supports, len(town.proposals))))
    with _counted_after(kept_counts.SUPPORTS, Support, min(town.proposals)):
        _insert_supports(town, residents, wanted, active_supported)


def _insert_supports(town, residents, wanted, active_supported):
    rng, rows, moment = town.rng, [], town.moment
    for proposal, count in zip(town.proposals, wanted):
        for user in rng.sample(residents, count):
            rows.append({"proposal_id": proposal, "user_id": user, "created_at": moment(), "channel": Channel.ONLINE})
        if proposal in active_supported:
            rows.append({"proposal_id": proposal, "user_id": town.active, "created_at": moment(), "channel": Channel.ONLINE})
        if len(rows) >= CHUNK * 5:
            _insert(Support.__table__, rows)
            town.report("supports", len(rows))
            rows = []
    _insert(Support.__table__, rows)
    town.report("supports", len(rows))


@contextmanager
def _counted_after(kept, model, first_proposal):
    """PostgreSQL's row trigger of a kept count would rewrite a proposal row (and its trigram index) per row
    inserted: a million row versions for the supports. It is set aside for the bulk insert and the counts
    set once after, in this transaction. SQLite's triggers cost little: they stay."""
    postgresql = db.engine.dialect.name == "postgresql"
    if postgresql:
        db.session.execute(text(f"ALTER TABLE {model.__tablename__} DISABLE TRIGGER {kept.trigger}"))
    yield
    if postgresql:
        db.session.execute(text(f"ALTER TABLE {model.__tablename__} ENABLE TRIGGER {kept.trigger}"))
        kept_counts.recount_from(kept, first_proposal)


def _comment_rows(town, proposal, count, author=None):
    """``count`` comments on ``proposal``: threads, each followed by its replies (a third are replies)."""
    rng, rows, thread_rows = town.rng, [], []
    created = town.moment()
    for n in range(count):
        created += timedelta(minutes=rng.randint(1, 600))
        row = {"proposal_id": proposal, "author_id": author or rng.choice(town.residents),
               "body": rng.choice(COMMENTS), "language": "fr", "created_at": created, "held_by_reports": False,
               "channel": Channel.ONLINE, "parent_id": None,
               "deleted_at": created + timedelta(days=1) if rng.random() < 0.02 else None}
        (thread_rows if not thread_rows or rng.random() > 0.33 else rows).append(row)
    return thread_rows, rows


def _comments(town):
    """Threads first (their ids are needed by their replies), then the replies, proposal by proposal."""
    rng, sizes = town.rng, town.sizes
    busiest = town.proposals[-1]  # the newest published proposal: first in the list, thousands of comments
    plan = [(busiest, sizes.busiest_comments, None)]
    left = sizes.comments - sizes.busiest_comments - sizes.active_comments
    commented = rng.sample(town.proposals[:-1], min(len(town.proposals) - 1, max(1, left // 6)))
    for proposal in commented:
        plan.append((proposal, max(1, left // len(commented)), None))
    for proposal in rng.sample(town.proposals, min(len(town.proposals), sizes.active_comments // 4)):
        plan.append((proposal, 4, town.active))
    total, pending_threads, pending_replies = 0, [], []

    def flush():
        nonlocal pending_threads, pending_replies, total
        _insert(Comment.__table__, [row for row, _replies in pending_threads])
        # The threads' ids, in the order inserted: the newest ids of this batch.
        ids = db.session.execute(select(Comment.id).where(Comment.parent_id.is_(None)).order_by(Comment.id.desc())
                                 .limit(len(pending_threads))).scalars().all()[::-1]
        replies = []
        for thread_id, (_row, its_replies) in zip(ids, pending_threads):
            for reply in its_replies:
                replies.append({**reply, "parent_id": thread_id})
        _insert(Comment.__table__, replies)
        total += len(pending_threads) + len(replies)
        town.report("comments", len(pending_threads) + len(replies))
        pending_threads = []

    with _counted_after(kept_counts.COMMENTS, Comment, min(town.proposals)):
        for proposal, count, author in plan:
            threads, replies = _comment_rows(town, proposal, count, author)
            # Each reply goes to a thread written before it.
            per_thread = {}
            for reply in replies:
                earlier = [i for i, t in enumerate(threads) if t["created_at"] < reply["created_at"]] or [0]
                per_thread.setdefault(earlier[-1] if rng.random() < 0.5 else rng.choice(earlier), []).append(reply)
            pending_threads += [(thread, per_thread.get(i, [])) for i, thread in enumerate(threads)]
            if len(pending_threads) >= CHUNK:
                flush()
        if pending_threads:
            flush()
    town.busiest = busiest
    return total


def _moderation(town):
    """Reports waiting in the queue (a few past the threshold, hence held), and a long journal."""
    rng, sizes = town.rng, town.sizes
    comment_ids = db.session.execute(select(Comment.id).where(Comment.deleted_at.is_(None))
                                     .order_by(func.random()).limit(sizes.reports // 2)).scalars().all()
    targets = [(TargetType.COMMENT, c) for c in comment_ids]
    targets += [(TargetType.PROPOSAL, p) for p in rng.sample(town.proposals, min(len(town.proposals),
                                                                                sizes.reports // 10))]
    rows, seen = [], set()
    for target_type, target_id in targets:
        for reporter in rng.sample(town.residents, rng.choice((1, 1, 1, 2))):
            if (reporter, target_type, target_id) not in seen:
                seen.add((reporter, target_type, target_id))
                rows.append({"reporter_id": reporter, "target_type": target_type, "target_id": target_id,
                             "reason": rng.choice(list(ReportReason)), "text": "Propos déplacés.",
                             "created_at": town.moment()})
    _insert(Report.__table__, rows)
    town.report("reports", len(rows))
    journal = [{"created_at": town.moment(), "moderator_id": town.moderator, "target_type": TargetType.PROPOSAL,
                "target_id": rng.choice(town.proposals), "kind": ModerationKind.RESTORE,
                "public_reason": "", "message_to_author": ""} for _ in range(sizes.journal)]
    journal.sort(key=lambda r: r["created_at"])
    _insert(ModerationAction.__table__, journal)
    town.report("journal entries", len(journal))


def _answers_and_follows(town):
    rng, sizes = town.rng, town.sizes
    answered = rng.sample(town.proposals, len(town.proposals) // 20)
    statuses = list(AnswerStatus)
    answers = [{"proposal_id": p, "status": rng.choice(statuses), "author_id": town.elected,
                "author_role": Role.ELECTED, "text": "La ville étudie cette proposition avec les services concernés.",
                "created_at": town.moment(), "updated_at": town.now} for p in answered]
    _insert(Answer.__table__, answers)
    follows, seen = [], set()
    for _ in range(sizes.follows):
        key = (rng.choice(town.residents), rng.choice(town.proposals))
        if key not in seen:
            seen.add(key)
            follows.append({"user_id": key[0], "target_type": TargetType.PROPOSAL, "target_id": key[1],
                            "created_at": town.moment()})
    _insert(Follow.__table__, follows)
    staff = [{"created_at": town.moment(), "actor_id": town.admin, "area": "role", "action": "grant",
              "object_type": TargetType.USER, "object_id": rng.choice(town.residents),
              "before": '{"role": "resident"}', "after": '{"role": "counter_agent"}'} for _ in range(sizes.journal)]
    staff.sort(key=lambda r: r["created_at"])
    _insert(StaffLogEntry.__table__, staff)
    town.report("answers, follows, staff log", len(answers) + len(follows) + len(staff))


MJ_OPTIONS = ("Aire de jeux", "Jardin partagé", "Kiosque", "Piste cyclable", "Fontaine")
PROJECTS = 20


def _numbers(count):
    """A table of 1..count, from the database itself (no million parameters sent)."""
    if db.engine.dialect.name == "postgresql":
        return text(f"generate_series(1, {int(count)}) AS i")
    return text(f"(WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {int(count)}) "
                "SELECT i FROM n)")


def _insert_rows(table, columns, rows):
    """Insert the tuples of ``rows``, streamed (COPY on PostgreSQL, chunks of executemany on SQLite)."""
    if db.engine.dialect.name == "postgresql":
        cursor = db.session.connection().connection.dbapi_connection.cursor()
        with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    batch = []
    for row in rows:
        batch.append(dict(zip(columns, row)))
        if len(batch) == CHUNK:
            db.session.execute(insert(table), batch)
            batch = []
    if batch:
        db.session.execute(insert(table), batch)


def _closed_decision(official_id, title, method, labels, costs=None, **fields):
    now = utcnow()
    decision = Decision(title=title, question=f"{title} ?", description="", method=method, created_by_id=official_id,
                        opens_at=now - timedelta(days=8), closes_at=now - timedelta(minutes=1),
                        announced_at=now - timedelta(days=9), **fields)
    for position, label in enumerate(labels):
        decision.options.append(Option(position=position, label=label, cost=costs[position] if costs else None))
    db.session.add(decision)
    db.session.flush()
    return decision


def _ballot_rows(rng, decision, count, content):
    """(id, decision_id, tracking_code, content) rows of ``count`` valid ballots with distinct codes."""
    codes = set()
    for _ in range(count):
        code = "".join(rng.choices(ALPHABET, k=10))
        while code in codes:
            code = "".join(rng.choices(ALPHABET, k=10))
        codes.add(code)
        yield f"{rng.getrandbits(128):032x}", decision.id, code, codec.dumps(content(rng))


def add_votes(official_id, ballots, budget_ballots, rng, voters_prefix="Électeur"):
    """A closed majority-judgment vote with ``ballots`` ballots and a closed participatory budget (equal
    shares, twenty projects) with ``budget_ballots``, by the residents in the order of their ids, with as
    many new accounts as they lack (which cannot log in). Returns (majority judgment, budget)."""
    now = utcnow()
    residents = db.session.execute(select(func.count()).where(User.role == Role.RESIDENT)).scalar_one()
    missing = max(ballots, budget_ballots) - residents
    if missing > 0:
        db.session.execute(insert(User).from_select(
            ["display_name", "full_name_search", "role", "active", "created_at", "notify_answers", "language"],
            select(literal_column(f"'{voters_prefix} ' || i"), literal_column(f"'{voters_prefix.lower()} ' || i"),
                   literal(Role.RESIDENT.value), literal(True), literal(now, UTCDateTime()), literal(False),
                   literal("fr")).select_from(_numbers(missing))))
    judged = _closed_decision(official_id, "Aménagement du parc", Method.MAJORITY_JUDGMENT, MJ_OPTIONS)
    costs = [rng.randrange(20, 400) * 1000 for _ in range(PROJECTS)]
    budget = _closed_decision(official_id, "Budget participatif", Method.BUDGET,
                              [f"Projet {n + 1}" for n in range(PROJECTS)], costs, budget=sum(costs) // 3,
                              budget_rule=BudgetRule.EQUAL_SHARES)
    grade_keys = [str(o.id) for o in judged.options]
    project_ids = [o.id for o in budget.options]
    for decision, count, content in (
            (judged, ballots, lambda r: {"grades": {k: r.choice(GRADES) for k in grade_keys}}),
            (budget, budget_ballots, lambda r: {"options": sorted(r.sample(project_ids, r.randint(0, 5)))})):
        db.session.execute(insert(Participation).from_select(
            ["decision_id", "user_id", "channel", "created_at"],
            select(literal(decision.id), User.id, literal(Channel.ONLINE.value), literal(now, UTCDateTime()))
            .where(User.role == Role.RESIDENT).order_by(User.id).limit(count)))
        _insert_rows(Ballot.__table__, ("id", "decision_id", "tracking_code", "content"),
                     _ballot_rows(rng, decision, count, content))
    return judged, budget


def _votes(town):
    add_votes(town.elected, town.sizes.vote_ballots, town.sizes.budget_ballots, town.rng)
    town.report("ballots", town.sizes.vote_ballots + town.sizes.budget_ballots)


def seed_scale(sizes=None, seed=2026, report=lambda what, count: None):
    """Add the big data set to a database that holds the demo commune; flushes, the caller commits."""
    town = _Town(sizes or Sizes(), random.Random(seed), report)
    for step in (_users, _proposals, _supports, _comments, _moderation, _answers_and_follows, _votes):
        step(town)
    db.session.flush()
    return town
