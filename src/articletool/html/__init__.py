"""The HTML layer: one parser, cleaning rules, text and Markdown output."""
