"""``python -m articletool``."""

from articletool.cli.app import main

main()
