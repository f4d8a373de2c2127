"""Services: the unit-of-work layer between HTTP/CLI and the tables. No HTTP here."""
