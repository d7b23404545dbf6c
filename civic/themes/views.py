from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l

from ..access import Action, requires
from ..domain import DomainError, attach_error
from . import rules  # noqa: F401 - registers the package's access rules
from . import opendata  # noqa: F401 - registers the themes dataset
from . import services
from .forms import ThemeForm
from .models import Theme

bp = Blueprint("themes", __name__)


def _theme_form(theme, template, saved_message, **context):
    """Shared by the add form (theme=None, on the list page) and the edit page."""
    form = ThemeForm(obj=theme)
    if form.validate_on_submit():
        try:
            services.save_theme(theme, form.name.data, form.name_en.data, form.active.data)
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(saved_message, "success")
            return redirect(url_for("themes.index"))
    return render_template(template, form=form, theme=theme, **context)


@bp.route("", methods=["GET", "POST"])
@requires(Action.THEME_MANAGE)
def index():
    return _theme_form(None, "themes/index.html", _l("The theme is added."), themes=services.all_themes())


@bp.route("/<int:theme_id>", methods=["GET", "POST"])
@requires(Action.THEME_MANAGE, load=Theme)
def edit(theme):
    return _theme_form(theme, "themes/edit.html", _l("The theme is saved."))
