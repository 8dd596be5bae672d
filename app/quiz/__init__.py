"""Pure quiz rules: grading typed answers (grading, with numbers, wording and nearmiss), the
order choice options are shown in (order), and quiz rules (rules)."""
