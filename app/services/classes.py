"""Classes: create one, join with its code, and find a class only where the user may see it.

An instructor sees only the classes they teach; to anyone else such a class does not exist
(ClassNotFound), so ids reveal nothing.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import ClassMember, Classroom, User
from app.services import accounts

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: codes are read aloud and typed
CODE_LENGTH = 8
MAX_NAME = 200


class ClassNotFound(LookupError):
    """No such class among those this user may see (or no class with that join code)."""


class NotInstructor(PermissionError):
    """Only instructors create and run classes."""


class ClassRequestError(ValueError):
    """A class request outside the rules, with a message for the person who sent it."""


def new_join_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(code: str) -> str:
    """Codes are matched without case, spaces or dashes (as people type them)."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def create_class(instructor: User, name: str, now: datetime, timezone: str | None = None) -> Classroom:
    if not instructor.is_instructor:
        raise NotInstructor("Only instructors create classes.")
    name = _checked_name(name)
    for _ in range(5):  # a clash of random codes is rare; retry rather than fail
        classroom = Classroom(
            name=name, timezone=timezone or instructor.timezone, join_code=new_join_code(), created_at=now
        )
        classroom.members.append(ClassMember(user_id=instructor.id, role="instructor", joined_at=now))
        db.session.add(classroom)
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            continue
        return classroom
    raise ClassRequestError("Could not make a unique join code; try again.")


def _checked_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        raise ClassRequestError(f"A class needs a name of 1 to {MAX_NAME} characters.")
    return name


def join(user: User, code: str, now: datetime) -> Classroom:
    """Join the class with this code as a learner (again, if removed earlier); an instructor of the
    class stays its instructor."""
    classroom = find_by_code(code)
    if classroom is None:
        raise ClassNotFound("No class has that join code; check it with your instructor.")
    member = _membership(classroom.id, user.id)
    if member is None:
        db.session.add(ClassMember(class_id=classroom.id, user_id=user.id, role="learner", joined_at=now))
    elif member.removed_at is not None:
        member.removed_at = None
        member.joined_at = now
    try:
        db.session.commit()
    except IntegrityError:  # joined twice at the same moment: the other request's row stands
        db.session.rollback()
    return classroom


def leave(user: User, class_id: int, now: datetime) -> Classroom:
    """A learner leaves a class (their attempts stay); the code lets them back in."""
    classroom = learner_class(user, class_id)
    member = _membership(class_id, user.id)
    assert member is not None
    member.removed_at = now
    db.session.commit()
    return classroom


def remove_learner(classroom: Classroom, user_id: int, now: datetime) -> User:
    """Take a learner out of the class: out of its lists and roster at once; their past attempts stay,
    and they may join again with the (current) code."""
    member = _membership(classroom.id, user_id)
    if member is None or member.role != "learner" or member.removed_at is not None:
        raise ClassNotFound("That learner is not in this class.")
    member.removed_at = now
    db.session.commit()
    user = db.session.get(User, user_id)
    assert user is not None
    return user


def rotate_code(classroom: Classroom, now: datetime) -> str:
    """Give the class a new join code; the old one stops working at once (members stay)."""
    for _ in range(5):
        classroom.join_code, classroom.code_rotated_at = new_join_code(), now
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            continue
        return classroom.join_code
    raise ClassRequestError("Could not make a unique join code; try again.")


def rename(classroom: Classroom, name: str) -> Classroom:
    classroom.name = _checked_name(name)
    db.session.commit()
    return classroom


def add_instructor(classroom: Classroom, username: str, now: datetime) -> User:
    """Let another instructor account teach this class too (a learner of it becomes its instructor)."""
    user = accounts.find_user(username.strip())
    if user is None or not user.is_instructor:
        raise ClassRequestError(f"There is no instructor account called '{username.strip()}'.")
    member = _membership(classroom.id, user.id)
    if member is None:
        db.session.add(ClassMember(class_id=classroom.id, user_id=user.id, role="instructor", joined_at=now))
    elif member.role != "instructor" or member.removed_at is not None:
        member.role, member.removed_at, member.joined_at = "instructor", None, now
    try:
        db.session.commit()
    except IntegrityError:  # added twice at the same moment: the other request's row stands
        db.session.rollback()
    return user


def find_by_code(code: str) -> Classroom | None:
    """The class this join code opens (None for an unknown or rotated-out code)."""
    return db.session.scalar(select(Classroom).where(Classroom.join_code == normalise_code(code)))


def _membership(class_id: int, user_id: int) -> ClassMember | None:
    return db.session.scalar(
        select(ClassMember).where(ClassMember.class_id == class_id, ClassMember.user_id == user_id)
    )


def teaches(user: User, class_id: int) -> bool:
    member = _membership(class_id, user.id)
    return member is not None and member.role == "instructor" and member.removed_at is None


def instructor_class(user: User, class_id: int) -> Classroom:
    """The class, if this user teaches it; ClassNotFound for everyone else."""
    classroom = db.session.get(Classroom, class_id)
    if classroom is None or not teaches(user, class_id):
        raise ClassNotFound("There is no such class among yours.")
    return classroom


def learner_class(user: User, class_id: int) -> Classroom:
    """The class, if this user is one of its current learners; ClassNotFound otherwise."""
    member = _membership(class_id, user.id)
    if member is None or member.role != "learner" or member.removed_at is not None:
        raise ClassNotFound("You are not in that class.")
    classroom = db.session.get(Classroom, class_id)
    assert classroom is not None
    return classroom


def taught_by(user: User) -> list[Classroom]:
    return _classes_of(user, "instructor")


def joined_by(user: User) -> list[Classroom]:
    return _classes_of(user, "learner")


def _classes_of(user: User, role: str) -> list[Classroom]:
    return list(
        db.session.scalars(
            select(Classroom)
            .join(ClassMember, ClassMember.class_id == Classroom.id)
            .where(ClassMember.user_id == user.id, ClassMember.role == role, ClassMember.removed_at.is_(None))
            .order_by(Classroom.name, Classroom.id)
        )
    )


def learners(class_id: int) -> list[User]:
    """The class's current learners, by name."""
    return _members(class_id, "learner")


def instructors(class_id: int) -> list[User]:
    """Who teaches the class, by name."""
    return _members(class_id, "instructor")


def _members(class_id: int, role: str) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(ClassMember, ClassMember.user_id == User.id)
            .where(
                ClassMember.class_id == class_id,
                ClassMember.role == role,
                ClassMember.removed_at.is_(None),
            )
            .order_by(User.username)
        )
    )
