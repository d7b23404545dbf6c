"""flask commands: create-admin, seed-demo, seed-scale, publish, recount, send-mail, notify (the clock jobs, then
the mail), check-counts, purge (privacy.purge), backup and restore (ops.backup), opendata refresh
(opendata.snapshots)."""
import json
import time

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select, text

from .access import Role
from .accounts.models import User
from .accounts.services import create_user, find_user_by_email
from .admin.services import grant_role
from .jobs import run_jobs
from .decisions import queue
from .decisions.models import Decision, JobKind, JobState
from .demo import DEMO_ACCOUNTS, DEMO_PASSWORD, seed
from .domain import DomainError
from .extensions import db
from .mail import deliver_pending
from .moderation import services as moderation
from .ops.backup import backup_command, restore_command
from .opendata.snapshots import opendata_command
from .privacy.purge import purge_command
from .proposals import kept_counts
from .scale_data import NoDemoCommune, Sizes, seed_scale
from .transaction import lock_for_write
from .voting.ballot_file import recount as recount_csv
from .voting.recount import recount_pb


@click.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--name", "display_name", prompt="Display name")
@click.password_option()
@with_appcontext
def create_admin(email, display_name, password):
    """Create the first administrator (or make an existing account administrator)."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        raise click.ClickException(f"The password must have at least {minimum} characters.")
    lock_for_write()  # the site may be serving: read the account and change it in one turn
    user = find_user_by_email(email)
    created = user is None
    if created:
        user = create_user(display_name, email, password, confirmed=True)
    # As an administrator would grant it: in the staff log, and whoever was logged in logs in again.
    grant_role(None, user, Role.ADMIN)
    click.echo(f"Administrator {user.email} created." if created else f"{user.email} is now an administrator.")
    db.session.commit()


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has accounts.")
@with_appcontext
def seed_demo(if_empty):
    """Fill the database with a believable demo commune and print the demo logins."""
    if current_app.config["CIVIC_ENV"] == "ProductionConfig":
        # Its accounts' password is printed in the README: in production it would be an open door.
        raise click.ClickException("seed-demo never runs in production (CIVIC_ENV=production): its accounts' "
                                   "password is public.")
    has_users = db.session.execute(select(func.count(User.id))).scalar_one() > 0
    if has_users and if_empty:
        click.echo("The database already has data: demo data not added.")
    else:
        if has_users:
            raise click.ClickException("The database is not empty; seed-demo only fills an empty database.")
        with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
            seed()
            db.session.commit()
        click.echo("Demo commune created.")
    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for email, _name, role in DEMO_ACCOUNTS:
        click.echo(f"  {role.value:<14} {email}")


@click.command("seed-scale")
@click.option("--users", type=int, default=Sizes.users, show_default=True)
@click.option("--proposals", type=int, default=Sizes.proposals, show_default=True)
@click.option("--supports", type=int, default=Sizes.supports, show_default=True)
@click.option("--comments", type=int, default=Sizes.comments, show_default=True)
@click.option("--busiest-comments", type=int, default=Sizes.busiest_comments, show_default=True,
              help="Comments on the one proposal that has the most.")
@click.option("--active-proposals", type=int, default=Sizes.active_proposals, show_default=True,
              help="Proposals of the demo resident (the bench's \"my data\" of an active resident).")
@click.option("--active-supports", type=int, default=Sizes.active_supports, show_default=True)
@click.option("--active-comments", type=int, default=Sizes.active_comments, show_default=True)
@click.option("--reports", type=int, default=Sizes.reports, show_default=True)
@click.option("--journal", type=int, default=Sizes.journal, show_default=True,
              help="Entries of the moderation journal, and of the staff log.")
@click.option("--follows", type=int, default=Sizes.follows, show_default=True)
@click.option("--vote-ballots", type=int, default=Sizes.vote_ballots, show_default=True,
              help="Ballots of a closed majority-judgment vote (with as many more accounts as it needs).")
@click.option("--budget-ballots", type=int, default=Sizes.budget_ballots, show_default=True,
              help="Ballots of a closed participatory budget counted by equal shares.")
@with_appcontext
def seed_scale_command(**sizes):
    """Add a metropolis's worth of data to the demo commune (for make bench; never in production)."""
    if current_app.config["CIVIC_ENV"] == "ProductionConfig":
        raise click.ClickException("seed-scale never runs in production (CIVIC_ENV=production).")
    lock_for_write()
    started = time.monotonic()
    try:
        seed_scale(Sizes(**sizes), report=lambda what, count: click.echo(
            f"{time.monotonic() - started:7.1f} s  {what}: {count:,}"))
    except NoDemoCommune as error:
        raise click.ClickException(str(error)) from None
    except ValueError as error:  # random.sample: more wanted than there are (supports by one resident, ...)
        raise click.ClickException(f"These sizes do not fit together ({error}): give more users and proposals "
                                   "for so many supports, comments, reports and follows.") from None
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        # Autovacuum would analyse the new rows within minutes; a bench that starts at once would otherwise
        # measure plans made for the demo's few rows, different from one build to the next.
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    click.echo(f"Done in {time.monotonic() - started:.0f} s.")


@click.command("publish")
@click.argument("decision_id", type=int)
@click.option("--by", "email", help="The official publishing, when no publication of this vote is waiting (one asked "
                                    "for on the site runs as asked).")
@with_appcontext
def publish(decision_id, email):
    """Publish the results of a closed vote in this process, however many ballots it has."""
    decision = db.session.get(Decision, decision_id)
    if decision is None:
        raise click.ClickException(f"There is no decision {decision_id}.")
    official = find_user_by_email(email) if email else None
    if email and official is None:
        raise click.ClickException(f"There is no account {email}.")
    if official is None and queue.unfinished_job(decision, JobKind.PUBLISH) is None:
        raise click.ClickException(f"No publication of decision {decision_id} is waiting: give --by, the e-mail of "
                                   "the official who publishes it.")
    try:
        job = queue.publish_now(decision, official)
    except DomainError as error:
        raise click.ClickException(str(error.message)) from None
    if job is None:
        raise click.ClickException("Another process is publishing this vote now.")
    if job.state is not JobState.DONE:
        raise click.ClickException(f"The publication failed ({job.failure.value}): see the log.")
    click.echo(f"Decision {decision_id} published: {job.ballots} ballots, ballots file SHA-256 "
               f"{decision.snapshot.ballots_sha256}.")


@click.command("recount")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--rule", type=click.Choice(["greedy", "equal-shares"]),
              help="For a .pb file: the rule to apply instead of the one named in its META section.")
@click.option("--winners", type=click.IntRange(min=1), default=1, show_default=True,
              help="For Civic's CSV: how many options win (results.json's number_of_winners).")
def recount(file, rule, winners):
    """Recount a published decision from its ballots file (Civic's CSV or a Pabulib .pb).

    For a .pb file, prints the funded project ids, one per line; for Civic's CSV, prints
    the count as JSON, identical to the "count" of the published results.json.
    """
    # A ballots file is read a line at a time: a million ballots are counted in little memory.
    with open(file, encoding="utf-8-sig", newline="") as handle:
        start = handle.read(64)
        handle.seek(0)
        try:
            if file.lower().endswith(".pb") or start.lstrip().upper().startswith("META"):
                rule_name = {"greedy": "greedy", "equal-shares": "equalshares/add1"}.get(rule)
                for project_id in recount_pb(handle.read(), rule=rule_name):
                    click.echo(project_id)
            else:
                _method, summary = recount_csv(handle, winners=winners)
                click.echo(json.dumps(summary, sort_keys=True, indent=2, ensure_ascii=False))
        except (ValueError, KeyError) as error:
            raise click.ClickException(f"Cannot recount {file}: {error}") from None


@click.command("send-mail")
@with_appcontext
def send_mail_command():
    """Send the queued mail that is due (for a cron job, e.g. every five minutes)."""
    sent, failed = deliver_pending()
    click.echo(f"{sent} sent, {failed} not sent (given up, or kept for a later attempt: see the log).")


@click.command("notify")
@with_appcontext
def notify_command():
    """Run the clock jobs (votes that opened are told to their followers...), then send the queued mail (for
    a cron job)."""
    counts, sent, failed = run_jobs()
    for name, count in counts.items():
        click.echo(f"{name}: {count}")
    click.echo(f"{sent} mails sent, {failed} not sent (given up, or kept for a later attempt: see the log).")


@click.command("check-counts")
@click.option("--repair", is_flag=True, help="Set every wrong count to the number of rows.")
@with_appcontext
def check_counts(repair):
    """Compare each proposal's support and comment counts with their rows, and the moderation queue's
    reported items with the open reports (exit status 1 when one differs and --repair was not given): the
    database keeps them, this checks it did."""
    lock_for_write()
    wrong = 0
    for kept in kept_counts.KEPT:
        miscounted = kept_counts.miscounted(kept)
        for proposal_id, count, rows in miscounted:
            click.echo(f"proposal {proposal_id}: {kept.name} {count}, {rows} rows")
        if miscounted and repair:
            kept_counts.repair(kept, [row[0] for row in miscounted])
        wrong += len(miscounted)
    wrong_items = moderation.miscounted_items()
    for target_type, target_id, kept, counted in wrong_items:
        click.echo(f"reported {target_type.value} {target_id}: kept {kept}, counted {counted}")
    if wrong_items and repair:
        moderation.repair_items()
    wrong += len(wrong_items)
    if wrong and repair:
        db.session.commit()
        click.echo(f"{wrong} counts repaired.")
    elif wrong:
        raise click.ClickException(f"{wrong} counts differ from their rows (see above; --repair).")
    else:
        click.echo("Every count is right.")


def init_app(app):
    app.cli.add_command(check_counts)
    app.cli.add_command(seed_scale_command)
    app.cli.add_command(notify_command)
    app.cli.add_command(send_mail_command)
    app.cli.add_command(create_admin)
    app.cli.add_command(seed_demo)
    app.cli.add_command(publish)
    app.cli.add_command(recount)
    app.cli.add_command(purge_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(opendata_command)
