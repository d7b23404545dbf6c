"""What refers to an account, and what else holds personal data, registered by the package that owns it.

Every column that holds an account's id is registered here, beside its model, with what
becomes of its rows when a counter record (a resident registered at a counter, without
e-mail) is attached to the account its owner created later (``attach``), and when the account
is erased (``erase``, civic.privacy.erasure):

- ERASE: the rows are deleted (log-ins, links, follows: they serve the person only);
- ANONYMISE: the rows stay, pointing to the erased account, which holds nothing personal any more
  and is shown as "Deleted participant" (supports and votes stay counted; what staff did stays);
- CONTRIBUTION: what the person wrote, anonymised like the above, or, when the person chooses so,
  removed by the function its package registers (``removes_contributions``): it removes what
  nothing else depends on;
- a function ``(column, erasure) -> None`` for rows that need more care.

Columns that hold personal data themselves (the account's names, e-mail, phone... and the
e-mails queued to its address) are registered with ``holds_personal_data``: what erasure puts
instead (``replaced_by(value, owner)``), or a function ``(column, erasure) -> None``.

For attaching:

- MOVE: the rows become the account's (what the resident wrote);
- ``move_unless_held(*columns)``: the same, but a row of which the account already holds the
  same (one support per proposal, one follow per thing) is deleted: one each;
- KEEP: the rows stay with the record, which the account then lists as its own (the audit log
  of assisted actions, append-only), or name someone acting as staff;
- a function ``(column, record, account) -> int``: rows that need more care (one vote per
  decision); it returns how many could not move, for the page to say so.

Packages also register the sections of "my data" (GDPR articles 15 and 20) that show those
rows to the person: on the page, how many there are and the latest few; in the JSON download,
every one of them, read in batches (an active resident has tens of thousands). A test checks that every foreign key to
``user_account`` in the schema is registered, and that every table whose rows move with the
person has a section: a new table cannot be forgotten by an attachment or by "my data". What
stays (KEEP) is what staff did, the log-ins and links, and the sessions agents opened for the
person, which "my data" shows through the actions logged in them.
"""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from sqlalchemy import delete, func, select, tuple_, update

from ..extensions import db
from ..registry import Registry

MOVE = "move"
KEEP = "keep"
ERASE = "erase"
ANONYMISE = "anonymise"
CONTRIBUTION = "contribution"


@dataclass(frozen=True)
class Reference:
    column: object  # the ORM attribute, e.g. Proposal.author_id
    attach: object  # MOVE, KEEP or a function (column, record, account) -> int
    erase: object  # ERASE, ANONYMISE, CONTRIBUTION or a function (column, erasure) -> None


@dataclass(frozen=True)
class Erasure:
    """What erasing one person is given: the ids of their account and of the counter records attached to
    it, their e-mail addresses (normalised), and whether they chose to remove their contributions."""

    accounts: tuple
    addresses: tuple
    remove_contributions: bool


@dataclass(frozen=True)
class Replacement:
    """The value an erased account's column gets instead, in the rows whose ``owner`` names the account."""

    value: object
    owner: object


def replaced_by(value, owner):
    return Replacement(value=value, owner=owner)


@dataclass(frozen=True)
class PersonalColumn:
    column: object
    erase: object  # a Replacement, or a function (column, erasure) -> None


def move_unless_held(*columns):
    """MOVE, except the rows whose ``columns`` the account already holds the same values of: deleted."""

    def attach(column, record, account):
        model = column.class_
        held = select(*columns).where(column == account.id)
        db.session.execute(delete(model).where(column == record.id, tuple_(*columns).in_(held)))
        _move(column, record, account)
        return 0

    return attach


def _move(column, record, account):
    db.session.execute(update(column.class_).where(column == record.id).values({column.key: account.id}))


@dataclass(frozen=True)
class Section:
    """One part of "my data". ``rows(people)`` is a SELECT of the rows of these accounts (``people``: a
    SELECT of the ids of the person and of the counter records attached to them), with what
    ``template`` and ``as_json`` read of each row loaded along (no query per row). ``time`` orders
    them in time: columns ending with a unique one. ``template`` shows the latest few as ``rows``;
    ``as_json(row)`` exports one."""

    key: str
    title: object
    order: int
    rows: object
    time: tuple
    template: str
    as_json: object
    empty: object = _l("None.")

    def _results(self, statement):
        result = db.session.execute(statement)
        return result.scalars() if len(statement.column_descriptions) == 1 else result

    def latest(self, people, limit):
        return self._results(self.rows(people).order_by(*(c.desc() for c in self.time)).limit(limit)).all()

    def every_row(self, people, batch):
        """Every row, oldest first, read ``batch`` at a time: they are never all in memory at once."""
        return self._results(self.rows(people).order_by(*self.time).execution_options(yield_per=batch))


_references = []
_personal_columns = []
_sections = Registry("section of my data")
_removers = Registry("remover of contributions")


def refers_to_account(column, attach, erase):
    if any(r.column is column for r in _references):
        raise RuntimeError(f"{column} is registered twice")
    if erase not in (ERASE, ANONYMISE, CONTRIBUTION) and not callable(erase):
        raise RuntimeError(f"{column}: erasure must be ERASE, ANONYMISE, CONTRIBUTION or a function")
    _references.append(Reference(column=column, attach=attach, erase=erase))


def references():
    return list(_references)


def holds_personal_data(column, erase):
    if any(c.column is column for c in _personal_columns):
        raise RuntimeError(f"{column} is registered twice")
    if not isinstance(erase, Replacement) and not callable(erase):
        raise RuntimeError(f"{column}: erasure must be replaced_by(...) or a function")
    _personal_columns.append(PersonalColumn(column=column, erase=erase))


def personal_columns():
    return list(_personal_columns)


def removes_contributions(column, remove):
    """``remove(column, erasure)``: removes, of the rows of ``column`` (a CONTRIBUTION) naming the erased
    accounts, those nothing else depends on; the others stay, anonymised."""
    _removers.add(_key(column), remove)


def remover(column):
    return _removers.get(_key(column))


def _key(column):
    return f"{column.class_.__tablename__}.{column.key}"


def register_section(section):
    _sections.add(section.key, section)


def sections():
    return sorted(_sections.values(), key=lambda s: s.order)


def counts(people, cap):
    """{section key: how many rows it has} for these accounts, in one query, counting no further than
    cap + 1: an active resident has thousands of supports, and counting them all on each view of the
    page cost more than the rest of it (the download has every row)."""
    row = db.session.execute(select(*(
        select(func.count()).select_from(section.rows(people).order_by(None).limit(cap + 1).subquery())
        .scalar_subquery().label(section.key) for section in sections()))).one()
    return dict(row._mapping)


def attach(record, account):
    """Give ``account`` what refers to the counter ``record``, reference by reference; returns how many
    rows had to stay with the record (see the module)."""
    kept = 0
    for reference in _references:
        if reference.attach == KEEP:
            continue
        if reference.attach == MOVE:
            _move(reference.column, record, account)
        else:
            kept += reference.attach(reference.column, record, account)
    db.session.flush()
    return kept
