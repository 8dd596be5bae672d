"""Pure quiz rules: grading typed answers (and, later, picking questions and deadlines)."""
