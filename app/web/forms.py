"""HTML forms (Flask-WTF adds the CSRF token to each)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DecimalField, IntegerField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange

from app.services.accounts import MAX_PASSWORD, MAX_USERNAME, MIN_PASSWORD, MIN_USERNAME

# Log-in fields are bounded loosely (a longer one can match no account) so no form hashes megabytes.
_LOGIN_NAME = Length(max=4 * MAX_USERNAME, message="No username is that long.")
_LOGIN_PASSWORD = Length(max=MAX_PASSWORD, message="No password is that long.")
_NEW_PASSWORD = Length(
    min=MIN_PASSWORD,
    max=MAX_PASSWORD,
    message=f"A password needs at least {MIN_PASSWORD} characters and at most {MAX_PASSWORD}.",
)


class LoginForm(FlaskForm):
    username = StringField(
        "Username", validators=[DataRequired(), _LOGIN_NAME], render_kw={"autocomplete": "username"}
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired(), _LOGIN_PASSWORD],
        render_kw={"autocomplete": "current-password"},
    )


class RegisterForm(FlaskForm):
    username = StringField(
        "Username",
        validators=[
            DataRequired(),
            Length(
                min=MIN_USERNAME,
                max=MAX_USERNAME,
                message=f"A username has {MIN_USERNAME} to {MAX_USERNAME} characters.",
            ),
        ],
        render_kw={"autocomplete": "username"},
        description="3–32 letters, digits, '.', '_' or '-'.",
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired(), _NEW_PASSWORD],
        render_kw={"autocomplete": "new-password"},
        description="At least 8 characters.",
    )
    confirm = PasswordField(
        "Repeat the password",
        validators=[
            DataRequired(),
            _LOGIN_PASSWORD,
            EqualTo("password", message="The two passwords differ."),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class SettingsForm(FlaskForm):
    timezone = SelectField("Time zone", description="Your study day starts at 4 am in this time zone.")
    desired_retention = DecimalField(
        "Desired retention",
        places=2,
        validators=[NumberRange(min=0.7, max=0.99, message="Choose a value from 0.70 to 0.99.")],
        description="The chance of remembering a card when it comes due. Higher means more reviews.",
    )
    maximum_interval_days = IntegerField(
        "Maximum interval (days)",
        validators=[NumberRange(min=1, max=36500, message="From 1 to 36,500 days.")],
    )
    new_per_day = IntegerField("New cards per day", validators=[NumberRange(min=0, max=9999)])
    reviews_per_day = IntegerField("Reviews per day", validators=[NumberRange(min=0, max=99999)])


class PasswordForm(FlaskForm):
    current = PasswordField(
        "Current password",
        validators=[DataRequired(), _LOGIN_PASSWORD],
        render_kw={"autocomplete": "current-password"},
    )
    password = PasswordField(
        "New password",
        validators=[DataRequired(), _NEW_PASSWORD],
        render_kw={"autocomplete": "new-password"},
        description="At least 8 characters. Every other session and every API token ends.",
    )
    confirm = PasswordField(
        "Repeat the new password",
        validators=[
            DataRequired(),
            _LOGIN_PASSWORD,
            EqualTo("password", message="The two passwords differ."),
        ],
        render_kw={"autocomplete": "new-password"},
    )
