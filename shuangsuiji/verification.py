"""How the nightly integrity checks end (``verify_audit``, ``verify_records``, ``verify_files``).

Each names every problem on stderr, one a line, and fails with their count, so that a scheduler's mail (the
jobs run with ``-v 0``) holds only the failures; a clean run says what it checked, unless ``-v 0``.
"""

from collections.abc import Callable

from django.core.management.base import BaseCommand, CommandError


def finish(command: BaseCommand, problems: list[str], verbosity: int, success: str | Callable[[], str]) -> None:
    """Write ``problems`` to stderr and raise CommandError with their count; or else, when ``verbosity`` is not
    0, the ``success`` line (a callable is only called then: its text may cost a query)."""
    for problem in problems:
        command.stderr.write(problem)
    if problems:
        raise CommandError(f"{len(problems)} 处不一致")
    if verbosity:
        command.stdout.write(command.style.SUCCESS(success() if callable(success) else success))
