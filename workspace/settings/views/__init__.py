"""The settings pages, by section; thin: parse, call one selector or service,
render (workspace/settings/urls.py lists them)."""
