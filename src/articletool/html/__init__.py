"""The parsed body: one parser, the tree helpers, its text, images and media players."""
