"""What people read for each value of an enum: registered once, by the package that owns the enum.

Forms offer the choices with ``choices(EnumClass)``, templates show a value with the ``label``
filter (``{{ proposal.state|label }}``) and compare values with the enum itself, which templates
know by its class name (``proposal.state == ProposalState.MERGED``), never with its string.
An enum may have several sets of labels, named by a ``variant``: a moderation decision is
"Publish" on the button and "Published" in the journal.
"""
from wtforms import SelectChoice

from .i18n import text_once
from .registry import Registry

_labels = Registry("labels of")


def register(enum_class, labels, variant=None, members=None):
    """``labels``: {member: lazy text}, one for every member of ``enum_class`` (or of ``members``, for a
    variant only some members need)."""
    missing = set(members or enum_class) - set(labels)
    if missing:
        raise ValueError(f"{enum_class.__name__} has no label for {sorted(m.name for m in missing)}")
    _labels.add((enum_class, variant), dict(labels))


def label(member, variant=None):
    """The label in the locale in force."""
    return text_once(("label", member, variant), _labels[(type(member), variant)][member])


def choices(enum_class, members=None, variant=None):
    """Form choices (value, label) for ``members`` (all of the enum by default), in their order."""
    labels = _labels[(enum_class, variant)]
    return [SelectChoice(member.value, labels[member]) for member in (members or enum_class)]


def enums():
    """The enums with labels, for templates to compare values with."""
    return {enum_class for enum_class, _variant in _labels}
