"""The browser workspace: server-rendered pages (Jinja2) around the TypeScript editors."""
