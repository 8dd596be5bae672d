"""Register, log in and out, study as a guest, and study settings."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlsplit
from zoneinfo import available_timezones

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, login_user, logout_user

from app.extensions import limiter
from app.services import accounts
from app.web.clock import now
from app.web.forms import LoginForm, RegisterForm, SettingsForm
from app.web.security import current_learner

bp = Blueprint("auth", __name__)
TIMEZONES = sorted(available_timezones())


def _safe_next(default: str) -> str:
    """Only follow a `next` that stays on this site."""
    target = request.args.get("next") or request.form.get("next") or ""
    parts = urlsplit(target)
    return target if target.startswith("/") and not target.startswith("//") and not parts.netloc else default


def _login_limit() -> str:
    return str(current_app.config["UNROLL_LOGIN_LIMIT"])


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=lambda response: response.status_code == 401)
def login() -> ResponseReturnValue:
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.username.data or "", form.password.data or "")
        if user is not None:
            login_user(user, remember=True)
            return redirect(_safe_next(url_for("study.study_page")))
        form.password.errors = ["That username and password do not match."]
        return render_template("auth/login.html", form=form), 401
    return render_template("auth/login.html", form=form)


@bp.route("/register", methods=["GET", "POST"])
def register() -> ResponseReturnValue:
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            if current_user.is_authenticated and current_learner().is_guest:
                user = accounts.claim_guest(
                    current_learner(), form.username.data or "", form.password.data or ""
                )
            else:
                user = accounts.register(form.username.data or "", form.password.data or "", now())
        except accounts.AccountError as exc:
            form.username.errors = [str(exc)]
            return render_template("auth/register.html", form=form), 422
        login_user(user, remember=True)
        flash("Welcome! Your account is ready and your progress is saved.")
        return redirect(_safe_next(url_for("study.study_page")))
    return render_template("auth/register.html", form=form), 422 if form.errors else 200


@bp.post("/guest")
def start_as_guest() -> ResponseReturnValue:
    """Start studying at once; a signed cookie keeps the guest's progress."""
    if not current_user.is_authenticated:
        login_user(accounts.create_guest(now()), remember=True)
    return redirect(_safe_next(url_for("study.study_page")))


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    logout_user()
    flash("You are logged out.")
    return redirect(url_for("pages.index"))


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings() -> ResponseReturnValue:
    user = current_learner()
    form = SettingsForm(obj=accounts.settings_of(user))
    form.timezone.choices = TIMEZONES
    if form.validate_on_submit():
        chosen = accounts.Settings(
            timezone=form.timezone.data or "UTC",
            desired_retention=float(form.desired_retention.data or Decimal("0.9")),
            maximum_interval_days=int(form.maximum_interval_days.data or 36500),
            new_per_day=int(form.new_per_day.data or 0),
            reviews_per_day=int(form.reviews_per_day.data or 0),
        )
        try:
            accounts.update_settings(user, chosen)
        except accounts.AccountError as exc:
            form.timezone.errors = [str(exc)]
            return render_template("auth/settings.html", form=form, warn=False), 422
        flash("Settings saved.")
        return redirect(url_for("auth.settings"))
    warn = float(form.desired_retention.data or 0) > accounts.RETENTION_WARNING
    return render_template("auth/settings.html", form=form, warn=warn), 422 if form.errors else 200
