"""A re-check record's 提前复查说明: a re-check before its 整改期限 has passed says the firm's early report
(``services.early_recheck``).

SQLite adds a column by rebuilding the table, which drops the record's seal trigger and breaks the children's
(0002: they name the record table, which is gone for a moment): they are dropped first and made again after, as
0002 makes them. PostgreSQL adds the column in place; its triggers stay."""

import importlib

from django.db import migrations, models

sealed = importlib.import_module("shuangsuiji.fieldwork.migrations.0002_sealed_records")
DROP = [f"DROP TRIGGER IF EXISTS {sealed.RECORD}_sealed_update",
        *[f"DROP TRIGGER IF EXISTS {table}_sealed_{op}" for table in sealed.CHILDREN for op in ("insert", "update")]]
drop_triggers = sealed.run({"sqlite": DROP})
make_triggers = sealed.run({"sqlite": sealed.SQLITE})


class Migration(migrations.Migration):

    dependencies = [
        ('fieldwork', '0008_amendment_decided_as'),
    ]

    operations = [
        migrations.RunPython(drop_triggers, make_triggers, elidable=False),
        migrations.AddField(
            model_name='inspectionrecord',
            name='early_recheck_statement',
            field=models.TextField(blank=True, help_text='整改期限届满前复查的，写明企业何时、以何种方式报告已提前完成整改', verbose_name='提前复查说明'),
        ),
        migrations.RunPython(make_triggers, drop_triggers, elidable=False),
    ]
