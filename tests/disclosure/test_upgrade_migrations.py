"""Upgrading a database that holds published results, through the migration that dates them (disclosure 0005).

On PostgreSQL the migration's index was refused over a corrected result ("cannot CREATE INDEX … because it has
pending trigger events": the row updated twice in the migration's transaction left its deferred foreign-key check
pending), so an upgrade from a version before it stopped there (the drill of docs/operations.md, "Upgrading").
The test databases are made by migrate with no row, where nothing is pending: only a migration run over stored rows
shows it."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from shuangsuiji.disclosure.models import PublishedResult
from shuangsuiji.registry.models import Target
from tests.disclosure.test_api_public import batch, credit_code, make_result

BEFORE = [("disclosure", "0004_short_name_search")]


def _migrate(targets: list[tuple[str, str]] | None = None) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(targets or executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_an_upgrade_over_released_and_corrected_results_dates_them_and_builds_the_index(tree):
    place = tree["a"]
    plain_target, corrected_target = (
        Target.objects.create(credit_code=credit_code("130623", n), name=f"厂{n}", jurisdiction=place) for n in (1, 2))
    march = batch(place, 3)
    corrected_at = march.released_at + datetime.timedelta(days=3)
    plain = make_result(march, plain_target, 1)
    corrected = make_result(march, corrected_target, 2, corrected_at=corrected_at)
    _migrate(BEFORE)  # the database as the version before the change times left it, with its rows
    _migrate()
    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []  # the upgrade went through
    times = dict(PublishedResult.objects.values_list("pk", "changed_at"))
    assert times == {plain.pk: march.released_at, corrected.pk: corrected_at}
    assert "result_change_order" in {
        name for name, info in connection.introspection.get_constraints(
            connection.cursor(), PublishedResult._meta.db_table).items() if info["index"]}
