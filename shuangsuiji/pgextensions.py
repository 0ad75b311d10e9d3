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

Both messages name the schema the application's tables are created in (``current_schema()``, the first existing
schema of the user's ``search_path``) and where that ``search_path`` comes from (``pg_settings.source``): a DBA
connected as himself has a path of his own, so a plain ``CREATE EXTENSION pg_trgm`` lands in *his* first schema,
which is not the user's when the user's path was set (``ALTER ROLE … SET search_path``, ``ALTER ROLE … IN DATABASE
… SET``, or ``?options=-c search_path=…`` in DATABASE_URL). And a cure that changes the path must change it where
it was set: a role's default is overridden by the role's default in the database, and both by the connection's
options.
"""

from typing import NamedTuple

from django.core.management.base import CommandError
from django.db import DatabaseError
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

TRIGRAM = "pg_trgm"

EXTENSION_SCHEMA = """
    SELECT quote_ident(n.nspname), n.nspname = ANY (current_schemas(true))
      FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
     WHERE e.extname = %s
"""

# Asked before CREATE EXTENSION: after a refused statement the transaction takes no other query.
SEARCH_PATH = """
    SELECT quote_ident(current_schema()), current_setting('search_path'), source, quote_ident(current_user),
           quote_ident(current_database())
      FROM pg_settings WHERE name = 'search_path'
"""


class SearchPath(NamedTuple):
    schema: str | None  # where the tables go: None when no schema of the path exists
    path: str  # as SHOW search_path prints it
    source: str  # pg_settings.source: default, configuration file, database, user, database user, client, …
    user: str
    database: str

    def origin(self) -> str:
        """Where the path was set, in the words of the statement that set it."""
        user, database = self.user, self.database
        return {
            "default": "PostgreSQL 的默认值，没有另行设置",
            "configuration file": "服务器配置文件 postgresql.conf 的设置",
            "database": f"数据库的默认设置（ALTER DATABASE {database} SET search_path）",
            "user": f"角色的默认设置（ALTER ROLE {user} SET search_path）",
            "database user": f"角色在这个数据库中的设置（ALTER ROLE {user} IN DATABASE {database} SET search_path）",
            "client": "连接参数（DATABASE_URL 的 options=-c search_path=…，或环境变量 PGOPTIONS）",
        }.get(self.source, f"来源为 {self.source} 的设置")

    def describe(self) -> str:
        tables = f"应用的表建在模式 {self.schema} 中" if self.schema else "搜索路径上没有已存在的模式，应用的表无处可建"
        return f"{tables}：数据库用户 {self.user} 的搜索路径（search_path）为 {self.path}，来自{self.origin()}"

    def adding(self, schema: str) -> str:
        """How to put ``schema`` on the path, where the path was set: a setting made elsewhere would not prevail."""
        path = f"{self.path}, {schema}"
        if self.source == "client":
            # in the URL itself the space and the equals sign are written %20 and %3D
            options = f"-c search_path={path.replace(' ', '')}"
            return f"把 DATABASE_URL 的 options 改为 {options}（URL 中空格写作 %20，等号写作 %3D）"
        if self.source == "database user":
            return f"ALTER ROLE {self.user} IN DATABASE {self.database} SET search_path = {path};"
        return f"ALTER ROLE {self.user} SET search_path = {path};"  # prevails over the database's and the server's


def search_path(schema_editor: BaseDatabaseSchemaEditor) -> SearchPath:
    """The user's search_path on the migration's connection, and where it was set."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(SEARCH_PATH)
        return SearchPath(*cursor.fetchone())


def create_trigram_extension(schema_editor: BaseDatabaseSchemaEditor) -> None:
    """``CREATE EXTENSION IF NOT EXISTS pg_trgm``, or a CommandError saying what the DBA must do.

    A CommandError, because ``manage.py migrate`` prints its message alone (no traceback) and exits 1; the
    migration's transaction is rolled back by the exception as by any other, the migrations before it stay applied.
    """
    where = search_path(schema_editor)
    target = where.schema or "public"
    try:
        schema_editor.execute(f"CREATE EXTENSION IF NOT EXISTS {TRIGRAM}")
    except DatabaseError as error:
        settings = schema_editor.connection.settings_dict
        reason = " ".join(str(error).split())  # PostgreSQL's message and its HINT, on one line
        raise CommandError(
            f"数据库 {settings['NAME']} 中没有 PostgreSQL 扩展 {TRIGRAM}（名称搜索的三元组索引要用），"
            f"数据库用户 {settings['USER'] or '（默认）'} 也无法创建它（PostgreSQL：{reason}）。"
            f"{where.describe()}。"
            f"请数据库管理员以超级用户连接这个数据库，执行 CREATE EXTENSION {TRIGRAM} SCHEMA {target};"
            "（写明模式：管理员自己的搜索路径与该用户的不同；或授予该用户这个数据库的 CREATE 权限），"
            "再运行 manage.py migrate：见 docs/operations.md 的“Running it for a bureau”。"
            "这次迁移已回滚，此前的迁移保留。") from error
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(EXTENSION_SCHEMA, [TRIGRAM])
        [(schema, on_path)] = cursor.fetchall()  # CREATE EXTENSION went through: the extension exists
    if not on_path:
        settings = schema_editor.connection.settings_dict
        raise CommandError(
            f"数据库 {settings['NAME']} 的 PostgreSQL 扩展 {TRIGRAM} 装在模式 {schema} 中，"
            f"不在数据库用户 {where.user} 的搜索路径（search_path）上，"
            "名称搜索的三元组索引找不到它的运算符类 gin_trgm_ops。"
            f"{where.describe()}。"
            f"请数据库管理员执行 ALTER EXTENSION {TRIGRAM} SET SCHEMA {target};"
            f"（或把模式 {schema} 加入该用户的搜索路径并授予 USAGE 权限："
            f"GRANT USAGE ON SCHEMA {schema} TO {where.user}; "
            f"{where.adding(schema)}），"
            "再运行 manage.py migrate：见 docs/operations.md 的“Running it for a bureau”。"
            "这次迁移已回滚，此前的迁移保留。")
