"""`python -m nnanim` is the `nnanim` command."""

from nnanim.cli import run

run()
