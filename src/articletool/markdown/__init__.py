"""The body's cleaned tree as CommonMark Markdown."""
