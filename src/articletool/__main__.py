"""``python -m articletool``."""

from .cli import main

main()
