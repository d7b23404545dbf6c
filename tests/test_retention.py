"""Retention: each rule removes what is just past its duration and keeps what is just within it, the setting
overrides its duration, `flask purge` reports what it did, and purging breaks nothing that stays."""
import re
import secrets
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import func, select

from civic import jobs, site_settings, staff_log
from civic.accounts.models import AccountToken, LoginSession, Role, TokenPurpose, User
from civic.counters import audit, residents, sessions
from civic.counters.attach import attach_contributions
from civic.counters.models import AssistedAction, AssistedActionKind, IdentityCheck, SessionEnd
from civic.db_types import utcnow
from civic.decisions import services as decisions
from civic.decisions.models import Method, Participation
from civic.domain import DomainError
from civic.extensions import db
from civic.mail import OutgoingMail
from civic.moderation.models import Report, ReportedItem, ReportReason
from civic.privacy import purge
from civic.privacy.retention import Rule, rules
from civic.targets import TargetType
from civic.transaction import lock_for_write
from tests.counters.helpers import make_counter
from tests.decisions.helpers import close, make_decision, published_results
from tests.factories import make_comment, make_proposal, make_support, make_user

README = Path(__file__).resolve().parents[1] / "README.md"
MARGIN = timedelta(minutes=5)


def _rule(key):
    return next(rule for rule in rules() if rule.key == key)


def _exists(model, id_):
    return db.session.execute(select(func.count()).select_from(model).where(model.id == id_)).scalar_one() == 1


def _still_there(row):
    """Whether ``row`` is still in its table, asked by id (read now: the row may go)."""
    model, id_ = type(row), row.id
    return lambda: _exists(model, id_)


# --- One record of each kind, dated ``at``: returns a function telling whether it is still there ----------

def _unconfirmed_registration(at):
    user = make_user(confirmed=False)
    user.created_at = at
    return _still_there(user)


def _token(at):
    token = AccountToken(user_id=make_user().id, purpose=TokenPurpose.RESET_PASSWORD,
                         token_hash=secrets.token_hex(32), created_at=at - timedelta(hours=1), expires_at=at)
    db.session.add(token)
    db.session.flush()
    return _still_there(token)


def _login_session(at):
    """A log-in that ended at ``at``."""
    started = at - timedelta(seconds=current_app.config["LOGIN_SESSION_MAX_AGE"])
    row = LoginSession(user_id=make_user().id, key_hash=secrets.token_hex(32), created_at=started)
    db.session.add(row)
    db.session.flush()
    return _still_there(row)


def _mail(**dates):
    mail = OutgoingMail(to="camille@example.org", subject="Votre proposition", body="Bonjour Camille", **dates)
    db.session.add(mail)
    db.session.flush()
    return _still_there(mail)


def _counter_session(at):
    agent = make_user(role=Role.COUNTER_AGENT)
    session = sessions.open_session(agent, make_counter(agent), make_user(), identity_check=IdentityCheck.DOCUMENT,
                                    consent=True)
    sessions.end_session(session, SessionEnd.BUTTON, now=at)
    return _still_there(session)


def _audit_entry(at):
    agent = make_user(role=Role.COUNTER_AGENT)
    # Dated as it is written: the audit log refuses any later change.
    action = AssistedAction(kind=AssistedActionKind.RESIDENT_REGISTERED, agent_id=agent.id,
                            counter_id=make_counter(agent).id, resident_id=make_user().id, created_at=at)
    db.session.add(action)
    db.session.flush()
    return _still_there(action)


def _staff_entry(at):
    staff_log.record(make_user(role=Role.ADMIN), "roles", "grant", TargetType.USER, make_user().id)
    entry = db.session.execute(select(staff_log.StaffLogEntry).order_by(staff_log.StaffLogEntry.id.desc())).scalar()
    entry.created_at = at
    db.session.flush()
    return _still_there(entry)


def _settled_report(at):
    report = Report(reporter_id=make_user().id, target_type=TargetType.PROPOSAL, target_id=make_proposal().id,
                    reason=ReportReason.SPAM, created_at=at - timedelta(days=1), resolved_at=at)
    db.session.add(report)
    db.session.flush()
    return _still_there(report)


RECORDS = {
    "unconfirmed_registrations": _unconfirmed_registration,
    "account_tokens": _token,
    "login_sessions": _login_session,
    "sent_mail": lambda at: _mail(created_at=at, sent_at=at),
    "failed_mail": lambda at: _mail(created_at=at, failed_at=at, last_error="SMTPRecipientsRefused", attempts=1),
    "counter_sessions": _counter_session,
    "assisted_actions": _audit_entry,
    "staff_log": _staff_entry,
    "settled_reports": _settled_report,
}


def test_each_kind_of_record_has_a_rule_that_says_what_and_why(app):
    with app.test_request_context():
        registered = {rule.key: (rule.default_days, str(rule.label), str(rule.why)) for rule in rules()}
    assert set(RECORDS) <= set(registered)
    for key in RECORDS:
        days, label, why = registered[key]
        assert days > 0 and label and why.endswith(".")


@pytest.mark.parametrize("override", [None, 3], ids=["default", "CIVIC_RETENTION_DAYS"])
@pytest.mark.parametrize("key", sorted(RECORDS))
def test_a_rule_removes_what_is_just_past_its_duration_and_keeps_what_is_just_within(app, ctx, monkeypatch, key,
                                                                                       override):
    if override is not None:
        monkeypatch.setitem(app.config["RETENTION_DAYS"], key, override)
    rule = _rule(key)
    assert rule.days == (override or rule.default_days)
    now = utcnow()
    older = RECORDS[key](now - rule.duration - MARGIN)
    younger = RECORDS[key](now - rule.duration + MARGIN)
    db.session.commit()

    assert purge.apply(rule, now) == 1
    db.session.commit()
    assert (older(), younger()) == (False, True)


def test_registrations_that_something_refers_to_or_that_are_no_registrations_stay(app, ctx):
    """A counter record has no password; an unconfirmed account an agent helped, or a confirmed one, is used."""
    old = utcnow() - timedelta(days=30)
    agent = make_user(role=Role.COUNTER_AGENT)
    counter = make_counter(agent)
    record = residents.register_resident(agent, counter, full_name="Josiane Perrin", birth_date=date(1948, 3, 12))
    helped, confirmed, unused = make_user(confirmed=False), make_user(), make_user(confirmed=False)
    sessions.open_session(agent, counter, helped, identity_check=IdentityCheck.DOCUMENT, consent=True)
    for user in (record, helped, confirmed, unused):
        user.created_at = old
    db.session.add(AccountToken(user_id=unused.id, purpose=TokenPurpose.CONFIRM_EMAIL, token_hash="a" * 64,
                                created_at=old, expires_at=utcnow() + timedelta(days=1)))
    db.session.commit()
    still_there = [_still_there(user) for user in (record, helped, confirmed, unused)]

    assert purge.apply(_rule("unconfirmed_registrations")) == 1
    db.session.commit()
    assert [there() for there in still_there] == [True, True, True, False]
    assert db.session.execute(select(func.count()).select_from(AccountToken)).scalar_one() == 0


def test_mail_not_yet_sent_stays_however_old(app, ctx):
    long_ago = utcnow() - timedelta(days=400)
    waiting = _mail(created_at=long_ago, claimed_at=long_ago, attempts=2, last_error="timed out")
    db.session.commit()
    assert purge.apply(_rule("sent_mail")) == 0 and purge.apply(_rule("failed_mail")) == 0
    assert waiting()


def test_each_mail_rule_removes_only_its_own_kind_of_mail(app, ctx):
    """One purge function serves both mail rules, by the date column it is given: a sent mail is not removed
    by the failed mails' longer duration running out, nor a failed one by the sent mails' shorter one."""
    long_ago = utcnow() - timedelta(days=400)
    sent, failed = RECORDS["sent_mail"](long_ago), RECORDS["failed_mail"](long_ago)
    db.session.commit()
    assert purge.apply(_rule("sent_mail")) == 1
    db.session.commit()
    assert (sent(), failed()) == (False, True)
    assert purge.apply(_rule("failed_mail")) == 1
    db.session.commit()
    assert not failed()


def test_open_reports_stay_however_old_and_the_queue_still_counts_them(app, ctx):
    proposal = make_proposal()
    long_ago = utcnow() - timedelta(days=800)
    for _ in range(2):
        db.session.add(Report(reporter_id=make_user().id, target_type=TargetType.PROPOSAL, target_id=proposal.id,
                              reason=ReportReason.SPAM, created_at=long_ago))
    settled = _settled_report(long_ago)
    db.session.commit()

    assert purge.apply(_rule("settled_reports")) == 1
    assert not settled()
    item = db.session.get(ReportedItem, (TargetType.PROPOSAL, proposal.id))
    assert item.open_reports == 2


def test_the_audit_log_keeps_the_entries_of_a_purged_session_and_refuses_any_other_change(app, ctx):
    agent = make_user(role=Role.COUNTER_AGENT)
    session = sessions.open_session(agent, make_counter(agent), make_user(), identity_check=IdentityCheck.DOCUMENT,
                                    consent=True)
    entered = audit.record(session, AssistedActionKind.PROPOSAL_CREATED, about=make_proposal())
    sessions.end_session(session, SessionEnd.BUTTON, now=utcnow() - timedelta(days=400))
    db.session.commit()

    assert purge.apply(_rule("counter_sessions")) == 1
    db.session.commit()
    entries = db.session.execute(select(AssistedAction.kind, AssistedAction.session_id, AssistedAction.follow_up_code)
                                 .order_by(AssistedAction.id)).all()
    assert [(kind, session_id) for kind, session_id, _code in entries] == [
        (AssistedActionKind.SESSION_OPENED, None), (AssistedActionKind.PROPOSAL_CREATED, None),
        (AssistedActionKind.SESSION_ENDED, None)]
    assert entries[1].follow_up_code == entered.follow_up_code
    # Unlinking is the one change the database accepts: the entry itself stays as it was written.
    with pytest.raises(Exception, match="append-only"), db.session.begin_nested():
        db.session.execute(AssistedAction.__table__.update().where(AssistedAction.__table__.c.id == entered.id)
                           .values(object_id=entered.object_id + 1))


def test_a_counter_record_whose_sessions_were_purged_can_still_be_attached(app, ctx, monkeypatch):
    agent = make_user(role=Role.COUNTER_AGENT)
    counter = make_counter(agent)
    record = residents.register_resident(agent, counter, full_name="Josiane Perrin", birth_date=date(1948, 3, 12))
    session = sessions.open_session(agent, counter, record, identity_check=IdentityCheck.DOCUMENT, consent=True)
    proposal = make_proposal()
    support = make_support(proposal, record)
    receipt = audit.record(session, AssistedActionKind.SUPPORT_ADDED, entered=support, about=proposal)
    sessions.end_session(session, SessionEnd.BUTTON)
    db.session.commit()
    monkeypatch.setitem(app.config["RETENTION_DAYS"], "counter_sessions", 0)

    assert purge.apply(_rule("counter_sessions")) == 1
    db.session.commit()
    account = make_user(name="Josiane Perrin")
    attach_contributions(account, receipt.follow_up_code, date(1948, 3, 12))
    db.session.commit()
    assert support.user_id == account.id and record.merged_into_id == account.id


def _vote_published():
    decision = make_decision(Method.YES_NO)
    for vote in ("yes", "yes", "no"):
        decisions.cast_ballot(make_user(), decision, {"vote": vote})
    db.session.commit()
    close(decision)
    decisions.publish_results(decision, make_user(role=Role.ELECTED))
    db.session.commit()
    return decision


def test_purging_everything_at_once_breaks_nothing_that_stays(app, ctx, monkeypatch):
    """Every rule at 0 days removes all it can: counts, published results and the checks of counts hold."""
    decision = _vote_published()
    results = published_results(decision)
    proposal = make_proposal()
    make_support(proposal)
    make_comment(proposal)
    for key, make in RECORDS.items():
        make(utcnow() - timedelta(days=1))
    db.session.commit()
    for rule in rules():
        monkeypatch.setitem(app.config["RETENTION_DAYS"], rule.key, 0)

    result = app.test_cli_runner().invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert published_results(decision) == results
    voters = select(func.count()).select_from(Participation).where(Participation.decision_id == decision.id)
    assert (decision.snapshot is not None, db.session.execute(voters).scalar_one()) == (True, 3)
    assert (proposal.support_count, proposal.comment_count) == (1, 1)
    result = app.test_cli_runner().invoke(args=["check-counts"])
    assert (result.exit_code, result.output.strip()) == (0, "Every count is right.")


def test_flask_purge_reports_a_count_per_rule_and_dry_run_removes_nothing(app, ctx):
    now = utcnow()
    for _ in range(3):
        RECORDS["unconfirmed_registrations"](now - timedelta(days=8))
    kept = RECORDS["sent_mail"](now - timedelta(days=31))
    db.session.commit()
    runner = app.test_cli_runner()

    dry = runner.invoke(args=["purge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    lines = dry.output.splitlines()
    assert len(lines) == len(rules())
    assert "unconfirmed_registrations: 3 to remove (older than 7 days)" in lines
    assert "sent_mail: 1 to remove (older than 30 days)" in lines
    assert "login_sessions: 0 to remove (older than 1 day)" in lines
    db.session.expire_all()
    assert kept() and db.session.execute(select(func.count()).select_from(User)).scalar_one() == 3

    done = runner.invoke(args=["purge"])
    assert done.exit_code == 0, done.output
    assert "unconfirmed_registrations: 3 removed (older than 7 days)" in done.output.splitlines()
    assert "sent_mail: 1 removed (older than 30 days)" in done.output.splitlines()
    db.session.expire_all()
    assert not kept() and db.session.execute(select(func.count()).select_from(User)).scalar_one() == 0


def test_a_rule_that_fails_leaves_the_others_applied_and_the_command_says_so(app, ctx, monkeypatch):
    def broken(_cutoff):
        db.session.execute(select(func.nosuchfunction()))

    kept = RECORDS["sent_mail"](utcnow() - timedelta(days=31))
    db.session.commit()
    monkeypatch.setattr(purge, "rules", lambda: [Rule(key="broken", label="Broken", why="Broken.", default_days=1,
                                                      purge=broken), *rules()])

    result = app.test_cli_runner().invoke(args=["purge"])
    assert result.exit_code == 1
    assert "broken: failed (" in result.output and "sent_mail: 1 removed (older than 30 days)" in result.output
    db.session.expire_all()
    assert not kept()


PURGED = "records past their retention removed"


def _counting_rules(monkeypatch, *extra):
    """The real rules, each purge call counted (by rule key), after ``extra`` rules."""
    calls = []
    real = purge.apply
    monkeypatch.setattr(purge, "apply", lambda rule, now=None, dry_run=False:
                        calls.append(rule.key) or real(rule, now, dry_run))
    monkeypatch.setattr(purge, "rules", lambda: [*extra, *rules()])
    return calls


def _purged_ago(delta):
    """Pretend the last purge began ``delta`` ago."""
    site_settings.remove(purge.LAST_PURGE)
    site_settings.put(purge.LAST_PURGE, purge._stamp(utcnow() - delta), None)
    db.session.commit()


def test_the_clock_jobs_purge_once_a_day_whatever_the_number_of_processes(app, ctx, monkeypatch):
    """`flask notify` runs in a new process every five minutes: nothing in a process's memory may decide."""
    calls = _counting_rules(monkeypatch)
    older = RECORDS["sent_mail"](utcnow() - timedelta(days=31))
    db.session.commit()
    for _run in range(3):  # three runs of the timer, as many fresh processes
        result = app.test_cli_runner().invoke(args=["notify"])
        assert result.exit_code == 0, result.output
    assert sorted(calls) == sorted(rule.key for rule in rules()), "the purge ran more than once"
    db.session.expire_all()
    assert not older()
    assert utcnow() - purge.last_purge() < timedelta(minutes=1)

    _purged_ago(timedelta(hours=23))
    assert jobs.run_jobs()[0][PURGED] == 0
    _purged_ago(timedelta(days=1, minutes=1))
    RECORDS["sent_mail"](utcnow() - timedelta(days=31))
    db.session.commit()
    assert jobs.run_jobs()[0][PURGED] == 1


def test_flask_purge_counts_as_the_day_s_purge_and_a_dry_run_does_not(app, ctx, monkeypatch):
    calls = _counting_rules(monkeypatch)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["purge", "--dry-run"]).exit_code == 0
    db.session.expire_all()
    assert purge.last_purge() is None
    _purged_ago(timedelta(days=3))
    assert runner.invoke(args=["purge"]).exit_code == 0
    db.session.expire_all()
    assert utcnow() - purge.last_purge() < timedelta(minutes=1)
    calls.clear()
    assert jobs.run_jobs()[0][PURGED] == 0 and calls == []


@pytest.mark.real_commits
def test_two_processes_due_at_once_purge_once(app):
    """The second waits for the first's claim to be committed (PostgreSQL: on the key's UNIQUE index, then on the
    row; SQLite: the write lock), then finds the purge already begun."""
    claimed, outcomes = threading.Event(), {}

    def process(name, day_ago):
        with app.app_context():
            lock_for_write()
            if day_ago:
                _purged_ago(timedelta(days=1, minutes=1))
            outcomes[name] = purge._claim(utcnow(), purge.CLOCK_INTERVAL)
            if name == "first":
                claimed.set()
                time.sleep(0.5)  # the second arrives now, while the first has not committed yet
            db.session.commit()
            db.session.remove()

    for day_ago in (False, True):  # no purge ever (the row is inserted), then the last one a day ago (updated)
        outcomes.clear()
        claimed.clear()
        first = threading.Thread(target=process, args=("first", day_ago))
        first.start()
        assert claimed.wait(10)
        second = threading.Thread(target=process, args=("second", False))
        second.start()
        first.join(30)
        second.join(30)
        assert outcomes == {"first": True, "second": False}


def _failing(key, error):
    def purge_(_cutoff):
        raise error

    return Rule(key=key, label=key, why="Broken.", default_days=1, purge=purge_)


def test_a_rule_refused_by_a_service_is_that_rule_s_failure_and_the_others_are_applied(app, ctx, monkeypatch):
    """An account erased meanwhile by another purge: the erasure refuses, the command goes on."""
    _counting_rules(monkeypatch, _failing("erased_meanwhile", DomainError("This account is already erased.")))
    kept = RECORDS["sent_mail"](utcnow() - timedelta(days=31))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["purge"])
    assert result.exit_code == 1
    assert "erased_meanwhile: failed (DomainError: This account is already erased.)" in result.output
    assert "sent_mail: 1 removed (older than 30 days)" in result.output
    db.session.expire_all()
    assert not kept()


def test_a_rule_that_fails_in_the_clock_job_loses_neither_the_other_rules_nor_the_other_jobs(app, ctx,
                                                                                          monkeypatch):
    def broken(_cutoff):
        db.session.execute(select(func.nosuchfunction()))

    _counting_rules(monkeypatch, _failing("refused", DomainError("No.")),
                    Rule(key="broken", label="Broken", why="Broken.", default_days=1, purge=broken))
    older = RECORDS["sent_mail"](utcnow() - timedelta(days=31))
    db.session.commit()
    assert jobs.run_jobs()[0][PURGED] == 1
    db.session.expire_all()
    assert not older()
    assert purge.last_purge() is not None


def test_the_readme_lists_every_rule_with_its_default(app, ctx):
    section = README.read_text(encoding="utf-8").split("\n## Retention", 1)[1].split("\n## ", 1)[0]
    listed = dict(re.findall(r"^\| `([a-z_]+)` \| (\d+) days?", section, flags=re.MULTILINE))
    assert listed == {rule.key: str(rule.default_days) for rule in rules()}
