"""The demo workspace seeded by `labelworks serve --demo`."""
