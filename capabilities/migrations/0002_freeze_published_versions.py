"""Database triggers that make a published (or retired) framework version immutable.

The admin already shows such versions read-only; these triggers also stop scripts, bulk
updates and raw SQL. Deletion is left to the application (``PROTECT`` from cycles and the
admin), because test databases are flushed row by row on SQLite.
"""

from django.db import migrations

MESSAGE = "framework version is published or retired and cannot be changed; clone it into a new draft"

# (table, how a row reaches its version)
VERSIONED = ["domain", "capability", "enabler", "maturitylevel", "indicator"]
VIA_INDICATOR = ["leveldescriptor", "indicator_sectors"]
VIA_ENABLER = ["enabler_capabilities"]


# The SQL below is assembled from constant table names in this file, never from input. bandit skips
# migrations (pyproject.toml): its B608 check cannot tell these constants from input.
def _version_of(row, via):
    if via == "version":
        return f"{row}.version_id"
    if via == "indicator":
        return f"(SELECT i.version_id FROM capabilities_indicator i WHERE i.id = {row}.indicator_id)"
    return f"(SELECT e.version_id FROM capabilities_enabler e WHERE e.id = {row}.enabler_id)"


def _frozen(row, via):
    return (
        "EXISTS (SELECT 1 FROM capabilities_frameworkversion v "
        f"WHERE v.id = {_version_of(row, via)} AND v.status <> 'draft')"
    )


def _tables():
    for name in VERSIONED:
        yield f"capabilities_{name}", "version"
    for name in VIA_INDICATOR:
        yield f"capabilities_{name}", "indicator"
    for name in VIA_ENABLER:
        yield f"capabilities_{name}", "enabler"


VERSION_ROW_CHANGED = (
    "OLD.status <> 'draft' AND (NEW.code <> OLD.code OR NEW.title <> OLD.title "
    "OR NEW.description <> OLD.description OR NEW.status = 'draft' "
    "OR (OLD.status = 'retired' AND NEW.status <> 'retired'))"
)


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = []
    if vendor == "postgresql":
        for table, via in _tables():
            func = f"mnr_freeze_{table}"
            statements.append(
                f"""CREATE OR REPLACE FUNCTION {func}() RETURNS trigger AS $$
                BEGIN
                  IF {_frozen('NEW', via)} OR (TG_OP = 'UPDATE' AND {_frozen('OLD', via)}) THEN
                    RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
                  END IF;
                  RETURN NEW;
                END $$ LANGUAGE plpgsql"""
            )
            statements.append(
                f"CREATE TRIGGER {func} BEFORE INSERT OR UPDATE ON {table} FOR EACH ROW EXECUTE FUNCTION {func}()"
            )
        statements.append(
            f"""CREATE OR REPLACE FUNCTION mnr_freeze_version() RETURNS trigger AS $$
            BEGIN
              IF {VERSION_ROW_CHANGED} THEN
                RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
              END IF;
              RETURN NEW;
            END $$ LANGUAGE plpgsql"""
        )
        statements.append(
            "CREATE TRIGGER mnr_freeze_version BEFORE UPDATE ON capabilities_frameworkversion "
            "FOR EACH ROW EXECUTE FUNCTION mnr_freeze_version()"
        )
    elif vendor == "sqlite":
        for table, via in _tables():
            statements.append(
                f"CREATE TRIGGER mnr_freeze_{table}_insert BEFORE INSERT ON {table} "
                f"WHEN {_frozen('NEW', via)} BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            )
            statements.append(
                f"CREATE TRIGGER mnr_freeze_{table}_update BEFORE UPDATE ON {table} "
                f"WHEN {_frozen('NEW', via)} OR {_frozen('OLD', via)} BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            )
        statements.append(
            "CREATE TRIGGER mnr_freeze_version BEFORE UPDATE ON capabilities_frameworkversion "
            f"WHEN {VERSION_ROW_CHANGED} BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        )
    else:
        raise NotImplementedError(f"No freeze triggers for the {vendor} database; use PostgreSQL or SQLite.")
    for sql in statements:
        schema_editor.execute(sql)


def uninstall(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table, _via in _tables():
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS mnr_freeze_{table} ON {table}")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS mnr_freeze_{table}()")
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS mnr_freeze_{table}_insert")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS mnr_freeze_{table}_update")
    if vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS mnr_freeze_version ON capabilities_frameworkversion")
        schema_editor.execute("DROP FUNCTION IF EXISTS mnr_freeze_version()")
    else:
        schema_editor.execute("DROP TRIGGER IF EXISTS mnr_freeze_version")


class Migration(migrations.Migration):
    dependencies = [("capabilities", "0001_initial")]
    operations = [migrations.RunPython(install, uninstall)]
