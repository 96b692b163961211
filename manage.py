#!/usr/bin/env python
"""Django's manage.py, for habit; `folkmoot` is the same command."""

from folkmoot.cli import main

if __name__ == "__main__":
    main()
