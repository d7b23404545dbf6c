"""flask commands: create-admin, seed-demo."""
import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from .accounts.models import Role, User
from .accounts.services import create_user, find_user_by_email
from .extensions import db


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
    user = find_user_by_email(email)
    if user is None:
        user = create_user(display_name, email, password, role=Role.ADMIN, confirmed=True)
        click.echo(f"Administrator {user.email} created.")
    else:
        user.role = Role.ADMIN
        click.echo(f"{user.email} is now an administrator.")
    db.session.commit()


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has accounts.")
@with_appcontext
def seed_demo(if_empty):
    """Fill the database with a believable demo commune and print the demo logins."""
    from .demo import DEMO_ACCOUNTS, DEMO_PASSWORD, seed

    has_users = db.session.execute(select(func.count(User.id))).scalar_one() > 0
    if has_users and if_empty:
        click.echo("The database already has data: demo data not added.")
    else:
        if has_users:
            raise click.ClickException("The database is not empty; seed-demo only fills an empty database.")
        seed()
        db.session.commit()
        click.echo("Demo commune created.")
    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for email, _name, role in DEMO_ACCOUNTS:
        click.echo(f"  {role.value:<14} {email}")


def init_app(app):
    app.cli.add_command(create_admin)
    app.cli.add_command(seed_demo)
