"""The application factory: settings, extensions, every package's blueprint, commands, error pages.

This is the one module that imports every package's views (a layering test holds it to that):
importing them registers what each package declares to the others (its access rules, its
targets, its parts of "my data", its jobs).
"""
import logging

from werkzeug.middleware.proxy_fix import ProxyFix

from config import get_config

from . import (cli, compression, db_objects, errors, i18n, input_guard, jobs, routing, security, sqlite, static_files,
               templating, transaction)
from .accounts.sessions import load_user
from .accounts.views import bp as accounts_bp
from .admin.views import bp as admin_bp
from .answers.views import bp as answers_bp
from .api.views import bp as api_bp
from .counters import acting
from .counters.views import bp as counters_bp
from .db_types import render_item
from .decisions.views import bp as decisions_bp
from .extensions import csrf, db, limiter, login_manager, migrate
from .feeds.views import bp as feeds_bp
from .following.views import bp as following_bp
from .followup.views import bp as followup_bp
from .legal.views import bp as legal_bp
from .main.views import bp as main_bp
from .moderation.views import bp as moderation_bp
from .notifications.views import bp as notifications_bp
from .opendata.views import bp as opendata_bp
from .ops.views import bp as ops_bp
from .processes.views import bp as processes_bp
from .questionnaires.results_views import bp as questionnaire_results_bp
from .questionnaires.views import bp as questionnaires_bp
from .proposals.views import bp as proposals_bp
from .themes.views import bp as themes_bp


def create_app(overrides=None, env=None):
    app = routing.CivicFlask("civic", instance_relative_config=False, template_folder="../templates", static_folder="../static")
    config_class = get_config(env)
    app.config.from_object(config_class)
    if overrides:
        app.config.update(overrides)
    config_class.prepare(app.config)
    app.config["CIVIC_ENV"] = config_class.__name__

    compression.init_app(app)  # first: its after_request hook runs last, on the final response
    routing.init_app(app)  # before the blueprints, whose <int:...> rules use it
    static_files.init_app(app)
    input_guard.init_app(app)  # before the other hooks that read requests: none of them may see a NUL
    _init_extensions(app)
    _register_blueprints(app)
    acting.init_app(app)
    jobs.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    templating.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    transaction.init_app(app, on_commit_failure=errors.commit_failure_response)  # last: see its docstring

    if app.config["PROXY_COUNT"]:
        # Only what the configured proxies set is believed: the client's address and the scheme. Not
        # X-Forwarded-Host or -Prefix, which a client could send through a proxy that does not set
        # them (the proxy passes the Host header itself; links come from PUBLIC_URL anyway).
        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=0, x_prefix=0)

    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return app


def _init_extensions(app):
    db.init_app(app)
    migrate.init_app(app, db, render_as_batch=True, compare_type=True, render_item=render_item,
                     include_name=db_objects.include_name)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user)

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        if app.config["SQLITE_SYNCHRONOUS"] not in ("OFF", "NORMAL", "FULL", "EXTRA"):
            raise RuntimeError("CIVIC_SQLITE_SYNCHRONOUS must be OFF, NORMAL, FULL or EXTRA.")
        with app.app_context():
            sqlite.init_engine(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"], app.config["SQLITE_SYNCHRONOUS"])


def _register_blueprints(app):
    app.register_blueprint(main_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(proposals_bp, url_prefix="/proposals")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(themes_bp, url_prefix="/admin/themes")
    app.register_blueprint(decisions_bp, url_prefix="/decisions")
    app.register_blueprint(counters_bp)
    app.register_blueprint(moderation_bp)
    app.register_blueprint(answers_bp)
    app.register_blueprint(following_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(ops_bp)
    app.register_blueprint(legal_bp)
    app.register_blueprint(opendata_bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.register_blueprint(feeds_bp, url_prefix="/flux")
    app.register_blueprint(followup_bp)
    app.register_blueprint(processes_bp, url_prefix="/processus")
    app.register_blueprint(questionnaires_bp, url_prefix="/processus")
    app.register_blueprint(questionnaire_results_bp, url_prefix="/processus")
