"""What packages register for the others is complete: a table, a type or an enum that nobody
registered fails here instead of leaking past "my data", an attachment, a log or a page."""
import re
from pathlib import Path

from sqlalchemy import CheckConstraint

from civic import jobs, labels, targets
from civic.access import Action, rules
from civic.counters.models import AUDITED_TYPES
from civic.counters.receipts import receipt_kinds
from civic.extensions import db
from civic.following.models import FOLLOWABLE_TYPES
from civic.following.services import followable
from civic.moderation.models import MODERATED_TYPES
from civic.moderation.registry import registered as moderated
from civic.notifications.services import topic_of
from civic.privacy.registry import (ANONYMISE, CONTRIBUTION, ERASE, Replacement, personal_columns, references,
                                    remover, sections)
from civic.targets import TargetType, TargetTypeColumn

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "templates"


def test_every_column_that_refers_to_an_account_is_registered(app):
    """For "my data", attaching a counter record, and later erasure."""
    in_schema = {(table.name, column.name) for table in db.metadata.sorted_tables for column in table.columns
                 for key in column.foreign_keys if key.column.table.name == "user_account"}
    registered = [(r.column.class_.__tablename__, r.column.property.columns[0].name) for r in references()]
    assert len(registered) == len(set(registered))
    assert set(registered) == in_schema


def test_erasure_covers_every_column_that_refers_to_an_account(app):
    """The same registrations drive erasure: each says what becomes of its rows, and what a person wrote
    (CONTRIBUTION) can be removed by its package when they choose so."""
    for reference in references():
        assert reference.erase in (ERASE, ANONYMISE, CONTRIBUTION) or callable(reference.erase), reference.column
        if reference.erase == CONTRIBUTION:
            assert callable(remover(reference.column)), reference.column
    assert {str(r.column) for r in references() if r.erase == CONTRIBUTION} == {"Proposal.author_id", "Comment.author_id"}


# What an erased account keeps: nothing that tells who the person was.
NOT_PERSONAL = {"id", "role", "active", "created_at", "language", "merged_into_id", "last_active_at", "erased_at"}


def test_every_column_of_an_account_is_erased_or_said_not_personal(app):
    """A column added to user_account fails here until it is registered as personal data (what erasure puts
    instead) or added to what an erased account keeps."""
    account = db.metadata.tables["user_account"]
    erased = {c.column.property.columns[0].name for c in personal_columns()
              if isinstance(c.erase, Replacement) and c.column.class_.__tablename__ == "user_account"}
    assert erased.isdisjoint(NOT_PERSONAL)
    assert erased | NOT_PERSONAL == {column.name for column in account.columns}
    for personal in personal_columns():
        assert isinstance(personal.erase, Replacement) or callable(personal.erase), personal.column
    # Beyond the account: the mail to the person's address, the ballot codes of their sessions.
    assert {str(c.column) for c in personal_columns() if not isinstance(c.erase, Replacement)} == {
        "OutgoingMail.to", "ReceiptBallotCode.code"}


def test_what_a_resident_did_is_in_my_data(app):
    """Every table whose rows move to an account when a counter record is attached holds what a resident
    did: "my data" shows it (the rows that stay are the agents' and staff's, or the audit log's, shown too)."""
    moving = {r.column.class_.__tablename__ for r in references() if r.attach != "keep"}
    shown = {"proposals": "proposal", "comments": "comment", "supports": "support", "votes": "participation",
             "reports": "report", "follows": "follow", "assisted_actions": "assisted_action",
             "questionnaires": "questionnaire_response"}
    assert {s.key for s in sections()} == set(shown)
    assert moving <= set(shown.values())
    for section in sections():
        assert (TEMPLATES / section.template).exists(), section.template


def test_every_type_column_is_held_to_its_types_by_the_database(app):
    typed = [(table, column) for table in db.metadata.sorted_tables for column in table.columns
             if isinstance(column.type, TargetTypeColumn)]
    assert {(table.name, column.name) for table, column in typed} == {
        ("report", "target_type"), ("reported_item", "target_type"), ("moderation_action", "target_type"),
        ("follow", "target_type"),
        ("assisted_action", "object_type"), ("staff_log", "object_type")}
    for table, column in typed:
        checks = [c for c in table.constraints if isinstance(c, CheckConstraint) and column.name in str(c.sqltext)]
        assert len(checks) == 1, (table.name, column.name)


def test_every_type_that_names_a_row_is_registered(app):
    assert set(targets.kinds()) == set(TargetType) - {TargetType.SETTING}
    assert set(moderated()) == set(MODERATED_TYPES)
    assert set(followable()) == set(FOLLOWABLE_TYPES)
    # A receipt names what was entered; a registration or an attachment names the resident, and prints none.
    assert set(receipt_kinds()) == set(AUDITED_TYPES) - {TargetType.USER}


def test_every_topic_of_optional_mail_can_be_stopped(app):
    assert topic_of("answers") is not None and topic_of("follow:proposal:1") is not None
    assert topic_of("newsletter") is None


def test_the_jobs(app):
    assert set(jobs.jobs()) == {"votes opened, followers told", "expired log-ins removed", "idle assisted sessions ended",
                                "records past their retention removed", "erased voters forgotten once their votes closed",
                                "electorates of the votes that closed frozen", "open datasets refreshed"}


def _templates():
    return {path: path.read_text(encoding="utf-8") for path in TEMPLATES.rglob("*.*")}


def test_templates_compare_enums_not_their_strings(app):
    """``proposal.state == ProposalState.MERGED``, never ``proposal.state.value == "merged"``."""
    pattern = re.compile(r"""\.value\s*(==|!=|in|not in)\s*["'(]"""  # state.value == "open"
                         r"""|_type\s*==\s*["']"""  # target_type == "proposal"
                         r"""|\{%-?\s*set\s+\w+\s*=\s*[\w.]+\.value\s*-?%\}"""  # set method = decision.method.value
                         r"""|\}\s*\[\s*[\w.]+\.value\s*\]""")  # {"a4": ...}[counter.layout.value]
    found = [f"{path.relative_to(ROOT)}: {match.group(0)}" for path, text in _templates().items()
             for match in pattern.finditer(text)]
    assert found == []


def test_the_enums_templates_use_have_labels(app):
    used = {name for text in _templates().values() for name in re.findall(r"\b([A-Z][a-z]+[A-Za-z]*)\.[A-Z_]{2,}\b", text)}
    assert used - {"Action"} <= {enum_class.__name__ for enum_class in labels.enums()}


def test_every_action_is_asked_for(app):
    """Each action protects something: a view declares it, or a template, a service or a registration asks it."""
    declared = {view.civic_access for view in app.view_functions.values() if isinstance(getattr(view, "civic_access", None), Action)}
    sources = "\n".join(path.read_text(encoding="utf-8") for path in list((ROOT / "civic").rglob("*.py")) +
                        list(TEMPLATES.rglob("*.html")) if path.name not in ("rules.py", "access.py"))
    asked = {action for action in Action if f"Action.{action.name}" in sources}
    assert set(rules()) == declared | asked
