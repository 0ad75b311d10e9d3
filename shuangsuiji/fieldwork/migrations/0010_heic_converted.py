"""What a photo converted at upload was sent as (a HEIC stored as JPEG, ``fieldwork.photos``): its type, size and
SHA-256, on a record's attachments and a follow-up's evidence.

As in 0009: SQLite adds these columns by rebuilding the attachment table, which drops its seal triggers (0002), so
they are dropped first and made again after. PostgreSQL adds the columns in place; its triggers stay."""

import importlib

from django.db import migrations, models

# the same pair of steps as 0009's, which drop and make the seal triggers of 0002
early = importlib.import_module("shuangsuiji.fieldwork.migrations.0009_early_recheck_statement")
drop_triggers, make_triggers = early.drop_triggers, early.make_triggers


class Migration(migrations.Migration):

    dependencies = [
        ('fieldwork', '0009_early_recheck_statement'),
    ]

    operations = [
        migrations.RunPython(drop_triggers, make_triggers, elidable=False),
        migrations.AddField(
            model_name='attachment',
            name='converted_from',
            field=models.CharField(blank=True, help_text='转换前的类型（如 image/heic）；未转换的为空', max_length=100, verbose_name='原文件类型'),
        ),
        migrations.AddField(
            model_name='attachment',
            name='original_sha256',
            field=models.CharField(blank=True, max_length=64, verbose_name='原文件 SHA-256'),
        ),
        migrations.AddField(
            model_name='attachment',
            name='original_size',
            field=models.PositiveBigIntegerField(blank=True, null=True, verbose_name='原文件大小（字节）'),
        ),
        migrations.AddField(
            model_name='followupevidence',
            name='converted_from',
            field=models.CharField(blank=True, help_text='转换前的类型（如 image/heic）；未转换的为空', max_length=100, verbose_name='原文件类型'),
        ),
        migrations.AddField(
            model_name='followupevidence',
            name='original_sha256',
            field=models.CharField(blank=True, max_length=64, verbose_name='原文件 SHA-256'),
        ),
        migrations.AddField(
            model_name='followupevidence',
            name='original_size',
            field=models.PositiveBigIntegerField(blank=True, null=True, verbose_name='原文件大小（字节）'),
        ),
        migrations.RunPython(make_triggers, drop_triggers, elidable=False),
    ]
