"""Parts of a process's page that other packages own (a questionnaire, its synthesis...).

A process's page shows them; processes does not import those packages (imports point down): each registers
its part here, a template and what it reads of the process.
"""
from dataclasses import dataclass

from ..registry import Registry


@dataclass(frozen=True)
class Section:
    key: str
    order: int  # where it comes on the page among the others
    template: str  # gets ``process`` and ``part``: what ``values`` returned
    values: object  # (process) -> what the template shows, or None when there is nothing to show


_sections = Registry("section of the process page")


def register(section):
    _sections.add(section.key, section)


def shown(process):
    """[(section, its values)] of the sections that have something to show for ``process``, in order."""
    parts = ((section, section.values(process)) for section in sorted(_sections.values(), key=lambda s: s.order))
    return [(section, values) for section, values in parts if values is not None]
