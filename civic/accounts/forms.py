from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, RadioField, SelectChoice, SelectField, StringField
from wtforms.validators import Email, EqualTo

from ..forms import StrongPassword, max_length, required, strip
from ..routing import parse_id

EMAIL_MESSAGE = _l("Enter an e-mail address in the format name@example.fr.")


class RegisterForm(FlaskForm):
    display_name = StringField(_l("Name shown with your contributions"), filters=[strip],
                               validators=[required(_l("Enter the name shown with your contributions.")), max_length(80)])
    email = EmailField(_l("E-mail address"), filters=[strip],
                       validators=[required(_l("Enter your e-mail address.")), max_length(254),
                                   Email(message=EMAIL_MESSAGE)])
    password = PasswordField(_l("Password"), validators=[required(_l("Choose a password.")), StrongPassword()])
    password_confirm = PasswordField(_l("Confirm the password"), validators=[
        required(_l("Type the password again.")),
        EqualTo("password", message=_l("The two passwords are different.")),
    ])
    # Asked only while districts are in use (accounts.services.districts_in_use): removed otherwise.
    district = SelectField(_l("Your district (optional)"), coerce=parse_id,
                           description=_l("Some votes are only for the residents of some districts. Stated now, "
                                          "it counts for the district votes that open from now on; you can also "
                                          "give it later in your account."))

    def set_districts(self, districts):
        self.district.choices = [SelectChoice("", _l("Not stated"))] + [SelectChoice(d.id, d.name) for d in districts]


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), filters=[strip],
                       validators=[required(_l("Enter your e-mail address.")), max_length(254)])
    password = PasswordField(_l("Password"), validators=[required(_l("Enter your password.")), max_length(128)])


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("E-mail address"), filters=[strip],
                       validators=[required(_l("Enter your e-mail address.")), max_length(254),
                                   Email(message=EMAIL_MESSAGE)])


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[required(_l("Choose a password.")), StrongPassword()])
    password_confirm = PasswordField(_l("Confirm the new password"), validators=[
        required(_l("Type the password again.")),
        EqualTo("password", message=_l("The two passwords are different.")),
    ])


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"),
                                     validators=[required(_l("Enter your current password.")), max_length(128)])
    password = PasswordField(_l("New password"), validators=[required(_l("Choose a password.")), StrongPassword()])
    password_confirm = PasswordField(_l("Confirm the new password"), validators=[
        required(_l("Type the password again.")),
        EqualTo("password", message=_l("The two passwords are different.")),
    ])


class ProfileForm(FlaskForm):
    display_name = StringField(_l("Name shown with your contributions"), filters=[strip],
                               validators=[required(_l("Enter the name shown with your contributions.")), max_length(80)])
    notify_answers = BooleanField(_l("E-mail me when a proposal I made or support receives an official answer"))
    # Each language named in itself, as on the language switch.
    language = SelectField(_l("Language of the e-mails we send you"),
                           choices=[SelectChoice("fr", "Français", render_kw={"lang": "fr"}),
                                    SelectChoice("en", "English", render_kw={"lang": "en"})])
    district = SelectField(_l("Your district (optional)"), coerce=parse_id,
                           description=_l("Some votes are only for the residents of some districts. A change counts for the votes that open after it."))

    def set_districts(self, districts):
        self.district.choices = [SelectChoice("", _l("Not stated"))] + [SelectChoice(d.id, d.name) for d in districts]


class ConfirmForm(FlaskForm):
    """A button only: following an e-mailed link must not act by itself (mail scanners open links)."""


# What becomes of a person's proposals and comments when their account is erased (accounts.erasure).
KEEP_CONTRIBUTIONS, REMOVE_CONTRIBUTIONS = "keep", "remove"


def contributions_field(label):
    return RadioField(
        label,
        choices=[SelectChoice(KEEP_CONTRIBUTIONS, _l("Keep them, signed “Deleted participant”")),
                 SelectChoice(REMOVE_CONTRIBUTIONS, _l("Remove them, except those others took part in, and the "
                                                       "free texts written in questionnaires (the other answers "
                                                       "stay counted, nobody’s)"))],
        validators=[required(_l("Say what becomes of the proposals and comments."))])


class EraseAccountForm(FlaskForm):
    contributions = contributions_field(_l("Your proposals and comments"))
    password = PasswordField(_l("Your password, to confirm"),
                             validators=[required(_l("Enter your password.")), max_length(128)])
