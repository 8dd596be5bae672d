"""Pure statistics for instructors: item analysis of quiz questions (as Moodle computes it) and
study measures of cards. Plain values in, plain values out; no Flask, no SQLAlchemy."""
