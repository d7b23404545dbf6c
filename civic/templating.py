"""What every template can use: permissions, language switch, locale-aware formats."""
from urllib.parse import urlencode

from flask import current_app, request, url_for
from flask_babel import format_date, format_datetime, format_decimal, format_percent
from flask_login import current_user

from .access import Action, can
from .i18n import current_language
from .links import public_url
from .text import paragraphs

LANGUAGE_NAMES = {"fr": "Français", "en": "English"}


def _language_links():
    here = request.full_path.rstrip("?") if request else "/"
    current = current_language()
    return [
        {
            "code": code,
            "name": LANGUAGE_NAMES[code],
            "url": url_for("main.set_language", code=code) + "?" + urlencode({"next": here}),
            "current": code == current,
        }
        for code in current_app.config["LANGUAGES"]
    ]


def _url_with(**changes):
    """The current URL with some query arguments replaced (None removes one)."""
    args = request.args.to_dict()
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def init_app(app):
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    from .counters.acting import assisted_session
    from .counters.forms import KIND_LABELS
    from .answers.forms import STATUS_LABELS as ANSWER_LABELS
    from .counters.services import CONSENT_VERSION
    from .decisions.corrections import allowed_change
    from .moderation.forms import KIND_LABELS as MODERATION_LABELS
    from .moderation.forms import REASON_LABELS
    from .voting.explain import explanation

    @app.context_processor
    def inject():
        return {
            "can": lambda action, obj=None: can(current_user, action, obj),
            "Action": Action,
            "assisted_session": assisted_session,
            "kind_label": lambda kind: KIND_LABELS[kind.value],
            "consent_version": CONSENT_VERSION,
            "answer_status_label": lambda status: ANSWER_LABELS[getattr(status, "value", status)],
            "moderation_kind_label": lambda kind: MODERATION_LABELS[getattr(kind, "value", kind)],
            "report_reason_label": lambda reason: REASON_LABELS[getattr(reason, "value", reason)],
            "typo_allowance": lambda text: allowed_change(text or ""),
            "voting_explanation": lambda method, rule=None: explanation(method, rule, current_language()),
            "lang": current_language(),
            "language_links": _language_links,
            "url_with": _url_with,
            "public_url": public_url,
            "site_name": current_app.config["SITE_NAME"],
            "collectivite_name": current_app.config["COLLECTIVITE_NAME"],
        }

    app.add_template_filter(lambda d: format_datetime(d, "d MMMM y, HH:mm") if d else "", "datetime")
    app.add_template_filter(lambda d: format_date(d, "long") if d else "", "date")
    app.add_template_filter(lambda n: format_decimal(n), "number")
    app.add_template_filter(lambda n: format_percent(n, "#,##0.#%"), "percent")
    app.add_template_filter(paragraphs, "paragraphs")
