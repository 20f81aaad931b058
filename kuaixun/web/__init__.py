"""The editor's desk and the public pages (archive, search, feeds, calendar, unsubscribe): a Starlette app."""
