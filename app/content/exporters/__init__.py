"""Question sets out to other tools (GIFT, Moodle XML). Pure: imports neither Flask nor SQLAlchemy."""
