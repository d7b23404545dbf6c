from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..db_types import UniquelyNamed, enum_column_type
from ..extensions import db
from ..moderation.models import ModerationMode


class Theme(UniquelyNamed, db.Model):
    __tablename__ = "theme"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str | None] = mapped_column(String(80))
    active: Mapped[bool] = mapped_column(default=True)
    # How its new proposals are moderated; None: the site-wide setting applies.
    moderation: Mapped[ModerationMode | None] = mapped_column(enum_column_type(ModerationMode))

    def label(self, locale):
        return self.name_en if locale == "en" and self.name_en else self.name
