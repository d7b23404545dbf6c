"""What every template can use: permissions, labels, language switch, locale-aware formats.

Templates ask ``can(Action.X, obj)`` (civic.access), show an enum value with ``|label``
(civic.labels) and compare it with its enum, which they know by its class name
(``proposal.state == ProposalState.MERGED``); a (type, id) pair of a log is shown with
``numbered`` or ``target_link`` (civic.targets).
"""
from datetime import datetime, timezone
from functools import lru_cache
from urllib.parse import urlencode

from flask import current_app, request, url_for
from jinja2 import pass_eval_context
from markupsafe import Markup, escape

from . import forms, identity, labels, staff_log, targets, typography
from .access import Action, can, current_account
from .counters.acting import assisted_session, form_token_field
from .counters.sessions import CONSENT_VERSION
from .decisions.corrections import allowed_change, diff_segments
from .i18n import current_language, template_gettext, timezone_in_force
from .links import public_url, row_url
from .text import paragraphs
from .voting import majority_judgment
from .voting.explain import explanation

LANGUAGE_NAMES = {"fr": "Français", "en": "English"}


def _language_links():
    back = urlencode({"next": request.full_path.rstrip("?") if request else "/"})
    current = current_language()
    return [
        {
            "code": code,
            "name": LANGUAGE_NAMES[code],
            "url": url_for("main.set_language", code=code) + "?" + back,
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


def _target_link(target_type, target_id):
    """"Proposal n° 12", linked to its page when its number names one."""
    text = escape(targets.numbered(target_type, target_id))
    url = targets.number_url(target_type, target_id)
    return Markup(f'<a href="{escape(url)}">{text}</a>') if url else text


def _grade_label(grade):
    """A majority-judgment grade in the reader's language, in the counting module's own words."""
    return _typeset_grade(grade, current_language())


def _explanation(method, rule=None):
    """The counting module's own words (not from the catalogs), typeset for the reader's language."""
    return _typeset_explanation(method, rule, current_language())


# The counting modules' words are constants of the code: typeset once per language (a results page typesets its
# method's explanation and, for majority judgment, a grade per cell, each some regular expressions).
@lru_cache(maxsize=64)
def _typeset_grade(grade, lang):
    return typography.typeset((majority_judgment.LABELS_EN if lang == "en" else majority_judgment.LABELS_FR)[grade],
                              lang)


@lru_cache(maxsize=64)
def _typeset_explanation(method, rule, lang):
    return tuple(typography.typeset(paragraph, lang) for paragraph in explanation(method, rule, lang))


def _number(value, locale, _zone):
    return typography.number(value, locale)


def _percent(value, locale, _zone):
    return typography.percent(value, locale)


def _amount(value, locale, _zone):
    return typography.amount(value, locale)


def _date(value, locale, zone):
    if isinstance(value, datetime):  # a moment: its day where the reader is, as |datetime shows it
        if value.tzinfo is None:  # the database's dates are in UTC
            value = value.replace(tzinfo=timezone.utc)
        value = value.astimezone(zone)
    return typography.long_date(value, locale)


def _datetime(value, locale, zone):
    if value.tzinfo is None:  # the database's dates are in UTC
        value = value.replace(tzinfo=timezone.utc)
    return typography.long_datetime(value, locale, zone)


@lru_cache(maxsize=8192, typed=True)  # typed: 1, 1.0 and True are equal keys but not the same number
def _format_once(function, value, locale, zone):
    return function(value, locale, zone)


def _formatted(eval_ctx, function, value):
    """``function(value, locale, zone)`` in the locale and time zone in force. A list shows the same dates and
    counts page after page, and Babel takes some 20 µs to format one: the text is remembered for each
    value, locale and zone. The locale and zone are read once per render (a template rendered in another
    language, a mail under force_locale, is a render of its own), kept on Jinja's evaluation context: reading
    them through Flask-Babel costs as much as the remembered text."""
    where = getattr(eval_ctx, "civic_where", None)
    if where is None:
        where = eval_ctx.civic_where = (current_language(), timezone_in_force())
    return _format_once(function, value, *where)


def _format_filter(function, blank_if_empty=False):
    """A template filter showing a value with ``function(value, locale, zone)`` (``blank_if_empty``: "" for
    None)."""
    @pass_eval_context
    def show(eval_ctx, value):
        return "" if blank_if_empty and not value else _formatted(eval_ctx, function, value)
    return show


def init_app(app):
    forms.use_faster_html_params()
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.add_template_filter(labels.label, "label")
    app.add_template_filter(_format_filter(_datetime, blank_if_empty=True), "datetime")
    app.add_template_filter(_format_filter(_date, blank_if_empty=True), "date")
    app.add_template_filter(_format_filter(_number), "number")
    app.add_template_filter(_format_filter(_percent), "percent")
    app.add_template_filter(_format_filter(_amount), "amount")
    app.add_template_filter(lambda text: typography.typeset(text, current_language()), "typeset")
    app.add_template_filter(paragraphs, "paragraphs")

    # What does not change from one render to the next is set once; Flask's context processors run
    # for every template rendered.
    app.jinja_env.globals.update(
        {enum_class.__name__: enum_class for enum_class in labels.enums()},
        can=lambda action, obj=None: can(current_account(), action, obj),
        Action=Action,
        numbered=targets.numbered,
        target_link=_target_link,
        row_url=row_url,
        staff_log_sentence=staff_log.sentence,
        staff_log_changes=staff_log.changes,
        grade_label=_grade_label,
        GRADES=majority_judgment.GRADES,
        assisted_session=assisted_session,
        assisted_form_token=form_token_field,
        consent_version=CONSENT_VERSION,
        typo_allowance=lambda text: allowed_change(text or ""),
        diff_segments=diff_segments,
        voting_explanation=_explanation,
        language_links=_language_links,
        url_with=_url_with,
        public_url=public_url,
        site_name=app.config["SITE_NAME"],
        # The collectivité's identity is a setting an admin changes while Civic runs: read when shown.
        identity=identity.current,
        collectivite_name=identity.current_name,
    )

    @app.context_processor
    def inject():
        # The language in force now: a mail rendered under force_locale is in its reader's.
        return {"lang": current_language(), **template_gettext()}
