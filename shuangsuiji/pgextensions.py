"""The PostgreSQL extension the migrations need: ``pg_trgm``, for the trigram indexes of the name searches
(registry 0003, disclosure 0002 and 0003).

A bureau's database user is usually not a superuser. Since PostgreSQL 13 ``pg_trgm`` is a trusted extension, which
a user with the CREATE privilege on the database (its owner, for one) may create; a user without it gets
``permission denied to create extension "pg_trgm"`` and a traceback that does not say who should do what. The
DBA then creates the extension first (docs/operations.md, "Running it for a bureau"), and ``CREATE EXTENSION IF
NOT EXISTS`` over an existing extension asks for no privilege at all, so the migrations go through as that user.

The extension must also be where the user looks: a DBA who created it in a schema of its own (``CREATE EXTENSION
pg_trgm SCHEMA extensions``, as some hosted PostgreSQL set-ups do) off the user's ``search_path`` leaves
``CREATE EXTENSION IF NOT EXISTS`` content and the index then fails with ``operator class "gin_trgm_ops" does not
exist for access method "gin"``, which names neither the schema nor the cure. So the extension's schema is compared
with ``current_schemas(true)`` (the schemas the user may use, in search order) first.
"""

from django.core.management.base import CommandError
from django.db import DatabaseError
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

TRIGRAM = "pg_trgm"

EXTENSION_SCHEMA = """
    SELECT quote_ident(n.nspname), n.nspname = ANY (current_schemas(true)), quote_ident(current_user)
      FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
     WHERE e.extname = %s
"""


def create_trigram_extension(schema_editor: BaseDatabaseSchemaEditor) -> None:
    """``CREATE EXTENSION IF NOT EXISTS pg_trgm``, or a CommandError saying what the DBA must do.

    A CommandError, because ``manage.py migrate`` prints its message alone (no traceback) and exits 1; the
    migration's transaction is rolled back by the exception as by any other, the migrations before it stay applied.
    """
    try:
        schema_editor.execute(f"CREATE EXTENSION IF NOT EXISTS {TRIGRAM}")
    except DatabaseError as error:
        settings = schema_editor.connection.settings_dict
        reason = " ".join(str(error).split())  # PostgreSQL's message and its HINT, on one line
        raise CommandError(
            f"数据库 {settings['NAME']} 中没有 PostgreSQL 扩展 {TRIGRAM}（名称搜索的三元组索引要用），"
            f"数据库用户 {settings['USER'] or '（默认）'} 也无法创建它（PostgreSQL：{reason}）。"
            f"请数据库管理员以超级用户连接这个数据库，执行 CREATE EXTENSION {TRIGRAM};"
            "（或授予该用户这个数据库的 CREATE 权限），再运行 manage.py migrate："
            "见 docs/operations.md 的“Running it for a bureau”。这次迁移已回滚，此前的迁移保留。") from error
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(EXTENSION_SCHEMA, [TRIGRAM])
        [(schema, on_path, user)] = cursor.fetchall()  # CREATE EXTENSION went through: the extension exists
    if not on_path:
        settings = schema_editor.connection.settings_dict
        raise CommandError(
            f"数据库 {settings['NAME']} 的 PostgreSQL 扩展 {TRIGRAM} 装在模式 {schema} 中，"
            f"不在数据库用户 {user} 的搜索路径（search_path）上，名称搜索的三元组索引找不到它的运算符类 gin_trgm_ops。"
            f"请数据库管理员执行 ALTER EXTENSION {TRIGRAM} SET SCHEMA public;"
            f"（或把模式 {schema} 加入该用户的搜索路径并授予 USAGE 权限：GRANT USAGE ON SCHEMA {schema} TO {user}; "
            f"ALTER ROLE {user} SET search_path = \"$user\", public, {schema};），"
            "再运行 manage.py migrate：见 docs/operations.md 的“Running it for a bureau”。"
            "这次迁移已回滚，此前的迁移保留。")
