"""Register, log in and out, study as a guest, study settings, password and logins."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlsplit
from zoneinfo import available_timezones

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, login_user, logout_user

from app.models import User
from app.services import accounts, classes, fsrs_params, logins
from app.web import fsrs_view, throttling
from app.web.clock import now
from app.web.forms import LoginForm, PasswordForm, RegisterForm, SettingsForm
from app.web.security import current_learner, renew_csrf_token
from app.web.workload import workload_context

bp = Blueprint("auth", __name__)
TIMEZONES = sorted(available_timezones())


def _safe_next(default: str) -> str:
    """Only follow a `next` that stays on this site."""
    target = request.args.get("next") or request.form.get("next") or ""
    parts = urlsplit(target)
    return target if target.startswith("/") and not target.startswith("//") and not parts.netloc else default


def _end_current_session() -> None:
    key = current_learner().session_key if current_user.is_authenticated else None
    if key:
        logins.end_session(key, now())


def _sign_in(user: User) -> None:
    """Start a server-side session for this browser (ending the one it had), set its cookies, and
    renew the CSRF token."""
    _end_current_session()
    logins.start_session(user, now(), request.user_agent.string)
    login_user(user, remember=True)
    renew_csrf_token()


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    form = LoginForm()
    if form.validate_on_submit():
        username = form.username.data or ""
        throttling.check_login(username)
        user = accounts.authenticate(username, form.password.data or "")
        if user is not None:
            _sign_in(user)
            return redirect(_safe_next(url_for("study.study_page")))
        throttling.record_failed_login(username)
        form.password.errors = ["That username and password do not match."]
        return render_template("auth/login.html", form=form), 401
    return render_template("auth/login.html", form=form)


@bp.route("/register", methods=["GET", "POST"])
def register() -> ResponseReturnValue:
    form = RegisterForm()
    if form.validate_on_submit():
        throttling.take_signup()
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
        _sign_in(user)
        flash("Welcome! Your account is ready and your progress is saved.")
        return redirect(_safe_next(url_for("study.study_page")))
    return render_template("auth/register.html", form=form), 422 if form.errors else 200


@bp.post("/guest")
def start_as_guest() -> ResponseReturnValue:
    """Start studying at once; the session cookie keeps the guest's progress."""
    if not current_user.is_authenticated:
        throttling.take_guest()
        _sign_in(accounts.create_guest(now()))
    return redirect(_safe_next(url_for("study.study_page")))


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    """End this browser's session on the server too, so its cookies open nothing any more."""
    _end_current_session()
    logout_user()
    renew_csrf_token()
    flash("You are logged out.")
    return redirect(url_for("pages.index"))


def _settings_page(
    form: SettingsForm,
    password_form: PasswordForm,
    status: int = 200,
    fsrs: fsrs_view.FsrsSection | None = None,
) -> ResponseReturnValue:
    user = current_learner()
    warn = float(form.desired_retention.data or 0) > accounts.RETENTION_WARNING
    page = render_template(
        "auth/settings.html",
        form=form,
        password_form=password_form,
        warn=warn,
        sessions=logins.list_sessions(user),
        tokens=logins.list_tokens(user, now()),
        **fsrs_view.context(user, now(), fsrs),
        **workload_context(user),
    )
    return page, status


def _settings_form(user: User) -> SettingsForm:
    form = SettingsForm(obj=accounts.settings_of(user))
    form.timezone.choices = TIMEZONES
    return form


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings() -> ResponseReturnValue:
    user = current_learner()
    form = _settings_form(user)
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
            return _settings_page(form, PasswordForm(formdata=None), 422)
        flash("Settings saved.")
        return redirect(url_for("auth.settings"))
    return _settings_page(form, PasswordForm(formdata=None), 422 if form.errors else 200)


@bp.post("/settings/password")
@login_required
def change_password() -> ResponseReturnValue:
    """A new password ends every other session and revokes every API token of the learner."""
    user = current_learner()
    form = PasswordForm()
    if form.validate_on_submit():
        throttling.check_login(user.username)
        try:
            accounts.change_password(
                user, form.current.data or "", form.password.data or "", now(), request.user_agent.string
            )
        except accounts.WrongPassword as exc:
            throttling.record_failed_login(user.username)
            form.current.errors = [str(exc)]
        except accounts.AccountError as exc:
            form.password.errors = [str(exc)]
        else:
            login_user(user, remember=True)
            renew_csrf_token()
            flash("Password changed. Every other session and every API token has ended.")
            return redirect(url_for("auth.settings"))
    return _settings_page(_settings_form(user), form, 422)


@bp.post("/settings/sessions/<int:session_id>/end")
@login_required
def end_session(session_id: int) -> ResponseReturnValue:
    if not logins.revoke_session(current_learner(), session_id, now()):
        flash("That session had already ended.")
    return redirect(url_for("auth.settings"))


@bp.post("/settings/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int) -> ResponseReturnValue:
    if not logins.revoke_token(current_learner(), token_id):
        flash("That token had already been revoked or had expired.")
    return redirect(url_for("auth.settings"))


# --- the "FSRS parameters" section -------------------------------------------------------------


def _reschedule() -> bool:
    return request.form.get("reschedule") == "on"


def _fsrs_page(section: fsrs_view.FsrsSection, status: int = 200) -> ResponseReturnValue:
    return _settings_page(_settings_form(current_learner()), PasswordForm(formdata=None), status, section)


@bp.post("/settings/fsrs/optimize")
@login_required
def fsrs_optimize() -> ResponseReturnValue:
    """Anki's Optimize: fit the learner's log; keep the current parameters unless the fit is better."""
    result = fsrs_params.optimize(current_learner(), now(), reschedule=_reschedule())
    flash(result.fit.reason)
    return redirect(url_for("auth.settings", _anchor="fsrs"))


@bp.post("/settings/fsrs/evaluate")
@login_required
def fsrs_evaluate() -> ResponseReturnValue:
    """Anki's Evaluate: log loss and RMSE(bins) of the current and the default parameters."""
    evaluated = fsrs_params.evaluate(current_learner(), now())
    return _fsrs_page(fsrs_view.FsrsSection(evaluated=evaluated))


@bp.post("/settings/fsrs/parameters")
@login_required
def fsrs_set_parameters() -> ResponseReturnValue:
    typed, numbers = fsrs_view.typed_parameters(request.form)
    if isinstance(numbers, fsrs_view.FsrsSection):
        return _fsrs_page(numbers, 422)
    try:
        fsrs_params.set_parameters(current_learner(), numbers, now(), reschedule=_reschedule())
    except fsrs_params.ParametersError as exc:
        return _fsrs_page(fsrs_view.refused(typed, numbers, str(exc)), 422)
    flash("Parameters saved.")
    return redirect(url_for("auth.settings", _anchor="fsrs"))


@bp.post("/settings/fsrs/reset")
@login_required
def fsrs_reset() -> ResponseReturnValue:
    fsrs_params.reset_parameters(current_learner(), now(), reschedule=_reschedule())
    flash("Parameters reset: your class's pooled parameters if it has them, else FSRS's defaults.")
    return redirect(url_for("auth.settings", _anchor="fsrs"))


@bp.post("/settings/fsrs/auto")
@login_required
def fsrs_auto() -> ResponseReturnValue:
    enabled = request.form.get("auto_optimize") == "on"
    fsrs_params.set_auto_optimize(current_learner(), enabled)
    flash("Monthly optimization is on." if enabled else "Monthly optimization is off.")
    return redirect(url_for("auth.settings", _anchor="fsrs"))


@bp.post("/settings/fsrs/classes/<int:class_id>/optimize")
@login_required
def fsrs_class_optimize(class_id: int) -> ResponseReturnValue:
    """An instructor fits their class's pooled reviews (any other user: 404)."""
    try:
        result = fsrs_params.optimize_class(current_learner(), class_id, now())
    except classes.ClassNotFound:
        abort(404)
    flash(result.fit.reason)
    return redirect(url_for("auth.settings", _anchor="fsrs-classes"))
