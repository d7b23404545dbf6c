"""How long a settled report keeps the name of the resident who made it (privacy.retention)."""
from flask_babel import lazy_gettext as _l

from ..privacy.retention import Rule, remove, retention_rule
from .models import Report


def _purge_settled(cutoff):
    # Open reports are the moderation queue's: they stay whatever their age (reported_item counts them).
    return remove(Report, Report.resolved_at < cutoff)


retention_rule(Rule(
    key="settled_reports", label=_l("Reports of content, once settled"),
    why=_l("A report names the resident who made it: once a moderator has settled it, it is kept a year to "
           "notice reports made in bad faith, then removed. The moderation journal keeps the decision, without "
           "the reporters' names."),
    default_days=365, purge=_purge_settled))
