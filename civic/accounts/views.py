from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from flask_login import current_user

from .. import limits
from ..access import Action, Role, public, requires
from ..counters.acting import end_assisted_session
from ..counters.models import SessionEnd
from ..domain import DomainError, attach_error
from ..navigation import safe_next
from ..site_map import ACCOUNT, in_site_map, not_in_site_map
from . import opendata  # noqa: F401 - registers the districts dataset
from . import inactivity  # noqa: F401 - registers the retention rule of inactive accounts
from . import rules  # noqa: F401 - registers the package's access rules
from . import retention  # noqa: F401 - registers how long its records are kept
from . import services, sessions
from .erasure import erase_own_account, refusal as erasure_refusal
from .forms import (REMOVE_CONTRIBUTIONS, ChangePasswordForm, ConfirmForm, EraseAccountForm, ForgotPasswordForm,
                    LoginForm, ProfileForm, RegisterForm, ResetPasswordForm)
from .models import TokenPurpose
from .personal_data import COUNT_CAP, LATEST, download, summary

bp = Blueprint("accounts", __name__)


def _mails_to_the_address_typed(view):
    """Registration and password reset both e-mail the address typed: shared counts for both."""
    for decorate in (
        limits.shared_per_key("MAIL_LIMIT_PER_ADDRESS_AND_IP", "mail-address-ip", limits.email_typed_from_ip,
                              methods=["POST"]),
        limits.shared_per_key("MAIL_LIMIT_PER_ADDRESS", "mail-address", limits.email_typed, methods=["POST"]),
        limits.shared_per_key("MAIL_LIMIT_PER_IP", "mail-ip", get_remote_address, methods=["POST"]),
    ):
        view = decorate(view)
    return view


# Changing the password and deleting the account both check it: shared counts of failed tries per account.
_password_checks = limits.shared_per_key("PASSWORD_CHECK_LIMIT_PER_ACCOUNT", "password-check",
                                         lambda: f"account:{current_user.get_id()}", methods=["POST"],
                                         deduct_when=limits.failed)


@bp.route("/register", methods=["GET", "POST"])
@limits.per_ip("FORM_LIMIT_PER_IP", methods=["POST"])
@_mails_to_the_address_typed
@public
@in_site_map(_l("Create an account"), ACCOUNT + 10)
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = RegisterForm()
    if services.districts_in_use():
        form.set_districts(services.all_districts())
    else:
        del form.district
    if form.validate_on_submit():
        try:
            services.register(form.display_name.data, form.email.data, form.password.data,
                              district_id=form.district.data if "district" in form else None)
        except DomainError as error:
            attach_error(form, error)
        else:
            return redirect(url_for("accounts.check_email"))
    return render_template("accounts/register.html", form=form)


@bp.route("/register/check-email")
@public
@not_in_site_map("the page after the registration form: it says to look for the e-mail")
def check_email():
    return render_template("accounts/check_email.html")


@bp.route("/confirm/<token>", methods=["GET", "POST"])
@limits.per_ip("SECRET_LIMIT_PER_IP")
@public
def confirm_email(token):
    form = ConfirmForm()
    try:
        services.check_token(token, TokenPurpose.CONFIRM_EMAIL)
    except DomainError as error:
        return render_template("accounts/link_invalid.html", message=error.message, purpose="confirm"), 400
    if form.validate_on_submit():
        try:
            user = services.confirm_email(token)
        except DomainError as error:
            return render_template("accounts/link_invalid.html", message=error.message, purpose="confirm"), 400
        sessions.log_in(user)
        flash(_l("Your e-mail address is confirmed. Welcome!"), "success")
        return redirect(url_for("main.home"))
    return render_template("accounts/confirm_email.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@limits.per_ip("LOGIN_LIMIT_PER_IP", methods=["POST"])
@limits.per_key("LOGIN_LIMIT_PER_ACCOUNT_AND_IP", limits.email_typed_from_ip, methods=["POST"], deduct_when=limits.failed)
@limits.per_key("LOGIN_LIMIT_PER_ACCOUNT", limits.email_typed, methods=["POST"], deduct_when=limits.failed)
@public
@in_site_map(_l("Log in"), ACCOUNT + 11)
def login():
    next_url = safe_next(request.args.get("next"), url_for("main.home"))
    if current_user.is_authenticated:
        return redirect(next_url)
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except services.UnconfirmedEmail as error:
            # Not a refusal: the new confirmation link it queued must leave, so nothing is rolled back.
            form.email.errors.append(error.message)
        except DomainError as error:
            attach_error(form, error)
        else:
            sessions.log_in(user)
            flash(_l("You are logged in."), "success")
            if user.role is Role.COUNTER_AGENT and not request.args.get("next"):
                return redirect(url_for("counters.desk"))  # where the agent chooses today's counter
            return redirect(next_url)
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@requires(Action.MANAGE_OWN_ACCOUNT)
def logout():
    end_assisted_session(SessionEnd.LOGOUT)
    # Nothing of this person's visit stays in a shared browser (a tracking code, a form's data),
    # and a copy of the cookie taken before no longer opens anything.
    sessions.log_out()
    flash(_l("You are logged out."), "success")
    return redirect(url_for("main.home"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limits.per_ip("FORM_LIMIT_PER_IP", methods=["POST"])
@_mails_to_the_address_typed
@public
@in_site_map(_l("Forgotten password"), ACCOUNT + 12)
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        return redirect(url_for("accounts.reset_sent"))
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/password/forgot/sent")
@public
@not_in_site_map("the page after the forgotten password form: it says to look for the e-mail")
def reset_sent():
    return render_template("accounts/reset_sent.html")


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limits.per_ip("SECRET_LIMIT_PER_IP")
@public
def reset_password(token):
    try:
        services.check_token(token, TokenPurpose.RESET_PASSWORD)
    except DomainError as error:
        return render_template("accounts/link_invalid.html", message=error.message), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user = services.reset_password(token, form.password.data)
        except DomainError as error:
            return render_template("accounts/link_invalid.html", message=error.message), 400
        sessions.log_in(user)
        flash(_l("Your password has been changed."), "success")
        return redirect(url_for("main.home"))
    return render_template("accounts/reset_password.html", form=form)


@bp.route("/account", methods=["GET", "POST"])
@requires(Action.MANAGE_OWN_ACCOUNT)
@in_site_map(_l("My account"), ACCOUNT + 20)
def account():
    form = ProfileForm(obj=current_user)
    form.set_districts(services.all_districts())
    if request.method == "GET":
        form.district.data = current_user.district_id
    if form.validate_on_submit():
        try:
            services.update_profile(current_user, form.display_name.data, form.district.data,
                                    notify_answers=form.notify_answers.data, language=form.language.data)
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(_l("Your profile has been saved."), "success")
            return redirect(url_for("accounts.account"))
    return render_template("accounts/account.html", form=form)


@bp.route("/account/data")
@requires(Action.MANAGE_OWN_ACCOUNT)
@in_site_map(_l("My data"), ACCOUNT + 21)
def my_data():
    return render_template("accounts/my_data.html", user=current_user, sections=summary(current_user), latest=LATEST,
                           count_cap=COUNT_CAP)


@bp.route("/account/data.json")
@requires(Action.MANAGE_OWN_ACCOUNT)
def my_data_json():
    return Response(download(current_app._get_current_object(), current_user), mimetype="application/json",
                    headers={"Content-Disposition": 'attachment; filename="civic-my-data.json"'})


@bp.route("/account/password", methods=["GET", "POST"])
@_password_checks
@requires(Action.MANAGE_OWN_ACCOUNT)
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data, form.password.data)
        except DomainError as error:
            attach_error(form, error)
        else:
            sessions.log_in(current_user._get_current_object())
            flash(_l("Your password has been changed. Your other sessions are closed."), "success")
            return redirect(url_for("accounts.account"))
    return render_template("accounts/change_password.html", form=form)


@bp.route("/account/delete", methods=["GET", "POST"])
@_password_checks
@requires(Action.MANAGE_OWN_ACCOUNT)
def erase():
    """What goes and what stays, the choice for the contributions, the password; then logged out."""
    form = EraseAccountForm()
    refused = erasure_refusal(current_user)
    if refused is None and form.validate_on_submit():
        try:
            erase_own_account(current_user._get_current_object(), form.password.data,
                              form.contributions.data == REMOVE_CONTRIBUTIONS)
        except DomainError as error:
            attach_error(form, error)
        else:
            sessions.log_out()
            return redirect(url_for("accounts.erased"))
    return render_template("accounts/erase.html", form=form, refused=refused)


@bp.route("/account/deleted")
@public
@not_in_site_map("the page after an account's erasure: it says it is done")
def erased():
    return render_template("accounts/erased.html")
