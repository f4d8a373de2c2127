"""Storage: engine and sessions, tables, column types, migrations."""
