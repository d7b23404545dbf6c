"""Civic: citizen participation for French local authorities.

Importing the package imports nothing else: civic.voting, the counting core, must load
without Flask or SQLAlchemy, so the application's imports live in create_app().
"""
import logging


def create_app(overrides=None, env=None):
    from flask import Flask

    from config import get_config

    app = Flask(
        __name__,
        instance_relative_config=False,
        template_folder="../templates",
        static_folder="../static",
    )
    config_class = get_config(env)
    app.config.from_object(config_class)
    if overrides:
        app.config.update(overrides)
    config_class.prepare(app.config)

    from . import routing

    routing.init_app(app)  # before the blueprints, whose <int:...> rules use it
    from . import input_guard

    input_guard.init_app(app)  # first of the before_request hooks: none of them may see a NUL
    app.config["CIVIC_ENV"] = config_class.__name__

    _init_extensions(app)
    _register_blueprints(app)

    from . import cli, errors, i18n, security, templating

    i18n.init_app(app)
    security.init_app(app)
    templating.init_app(app)
    errors.init_app(app)
    cli.init_app(app)

    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return app


def _init_extensions(app):
    from .db_types import render_item
    from . import mail
    from .extensions import csrf, db, limiter, login_manager, migrate

    mail.init_app(app)  # before db: its teardown must run after the session's (see mail.init_app)
    db.init_app(app)
    migrate.init_app(app, db, render_as_batch=True, compare_type=True, render_item=render_item)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.session_protection = "basic"

    from .accounts.models import User
    from .routing import is_whole_number

    @login_manager.user_loader
    def load_user(user_id):
        ident, _, version = user_id.partition(":")
        if not (is_whole_number(ident) and is_whole_number(version)):
            return None
        user = db.session.get(User, int(ident))
        if user is None or user.session_version != int(version):
            return None
        return user

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        _tune_sqlite(app)


def _tune_sqlite(app):
    """WAL for concurrent readers, and foreign keys, which SQLite leaves off by default."""
    from sqlalchemy import event

    from .extensions import db

    with app.app_context():
        engine = db.engine

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            if engine.url.database not in (None, "", ":memory:"):
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.close()


def _register_blueprints(app):
    from .accounts.views import bp as accounts_bp
    from .admin.views import bp as admin_bp
    from .answers.views import bp as answers_bp
    from .following import views as following
    from .moderation.views import bp as moderation_bp
    from .counters import acting
    from .counters.views import bp as counters_bp
    from .decisions.views import bp as decisions_bp
    from .main.views import bp as main_bp
    from .proposals.views import bp as proposals_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(proposals_bp, url_prefix="/proposals")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(decisions_bp, url_prefix="/decisions")
    app.register_blueprint(counters_bp)
    app.register_blueprint(moderation_bp)
    app.register_blueprint(answers_bp)
    app.register_blueprint(following.bp)
    acting.init_app(app)
    following.init_app(app)
