"""Cleaning: the rules over the body's tree, the front matter's edits, the safety check."""
