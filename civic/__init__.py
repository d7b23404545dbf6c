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

    input_guard.init_app(app)  # before the other hooks that read requests: none of them may see a NUL
    app.config["CIVIC_ENV"] = config_class.__name__

    _init_extensions(app)
    _register_blueprints(app)

    from . import cli, clock_jobs, errors, i18n, security, templating, transaction

    clock_jobs.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    templating.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    transaction.init_app(app, on_commit_failure=errors.commit_failure_response)  # last: see its docstring

    if app.config["PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Only what the configured proxies set is believed: the client's address and the scheme. Not
        # X-Forwarded-Host or -Prefix, which a client could send through a proxy that does not set
        # them (the proxy passes the Host header itself; links come from PUBLIC_URL anyway).
        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=0, x_prefix=0)

    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return app


def _init_extensions(app):
    from .db_types import render_item
    from .extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, render_as_batch=True, compare_type=True, render_item=render_item)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.session_protection = "basic"

    from .accounts.sessions import load_user

    login_manager.user_loader(load_user)

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        from . import sqlite

        if app.config["SQLITE_SYNCHRONOUS"] not in ("OFF", "NORMAL", "FULL", "EXTRA"):
            raise RuntimeError("CIVIC_SQLITE_SYNCHRONOUS must be OFF, NORMAL, FULL or EXTRA.")
        with app.app_context():
            sqlite.init_engine(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"], app.config["SQLITE_SYNCHRONOUS"])


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
