"""Services: the only code that writes to the database and owns its transactions."""
