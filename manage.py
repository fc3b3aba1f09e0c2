#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "innoinfra.settings")
    # Commands that only read the models (no serving, no signing) run on a bare checkout
    # too, e.g. `manage.py makemigrations --check` in review hooks. Everything else keeps
    # the rule that DEBUG off without SECRET_KEY/ALLOWED_HOSTS refuses to start.
    if sys.argv[1:2] in (["makemigrations"], ["showmigrations"]) and "SECRET_KEY" not in os.environ:
        os.environ.setdefault("DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
