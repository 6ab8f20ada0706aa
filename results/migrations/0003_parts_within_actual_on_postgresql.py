"""On PostgreSQL, the database itself refuses parts above their period's actual value and
percentages above 100 in a period, whoever writes the rows (a script, SQL, a bulk update).

These rules span rows and tables, which a CHECK constraint cannot see: constraint triggers
check them instead, deferred to the commit, so a set of parts edited together (1 900 + 1 300
becoming 1 800 + 1 400) may pass through an intermediate sum. Forms and models check the same
rules on every database (``results.models.check_parts``); SQLite relies on them.
"""

from django.db import migrations

from core.migration_operations import RunSQLOnPostgreSQL

FORWARD = r"""
CREATE FUNCTION results_check_period(checked_period bigint) RETURNS void AS $$
DECLARE
    period_row record;
    over record;
BEGIN
    SELECT p.actual, p.target, i.measure INTO period_row
    FROM results_period p JOIN results_indicator i ON i.id = p.indicator_id
    WHERE p.id = checked_period;
    IF NOT FOUND THEN
        RETURN;  -- deleted later in the same transaction
    END IF;
    IF period_row.measure = 'percentage'
       AND (period_row.actual > 100 OR period_row.target > 100) THEN
        RAISE EXCEPTION USING ERRCODE = 'check_violation',
            CONSTRAINT = 'period_percentage_at_most_100',
            MESSAGE = format('period %s: a percentage cannot exceed 100', checked_period);
    END IF;
    SELECT key, total INTO over FROM (
        SELECT lower(btrim(coalesce(nullif(dimension_fr, ''), dimension))) AS key,
               sum(value) AS total
        FROM results_disaggregation WHERE period_id = checked_period GROUP BY 1
    ) AS dimensions
    WHERE period_row.actual IS NULL OR total > period_row.actual
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'check_violation',
            CONSTRAINT = 'disaggregation_parts_within_actual',
            MESSAGE = format(
                'period %s: the parts of "%s" add up to %s, more than the actual value %s',
                checked_period, over.key, over.total, coalesce(period_row.actual::text, 'none')
            );
    END IF;
END
$$ LANGUAGE plpgsql;

CREATE FUNCTION results_part_changed() RETURNS trigger AS $$
BEGIN
    PERFORM results_check_period(NEW.period_id);
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE FUNCTION results_period_changed() RETURNS trigger AS $$
BEGIN
    PERFORM results_check_period(NEW.id);
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE FUNCTION results_indicator_changed() RETURNS trigger AS $$
BEGIN
    PERFORM results_check_period(id) FROM results_period WHERE indicator_id = NEW.id;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER results_parts_within_actual
    AFTER INSERT OR UPDATE ON results_disaggregation
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION results_part_changed();

CREATE CONSTRAINT TRIGGER results_period_values
    AFTER INSERT OR UPDATE ON results_period
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION results_period_changed();

CREATE CONSTRAINT TRIGGER results_indicator_measure
    AFTER UPDATE ON results_indicator
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION results_indicator_changed();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS results_indicator_measure ON results_indicator;
DROP TRIGGER IF EXISTS results_period_values ON results_period;
DROP TRIGGER IF EXISTS results_parts_within_actual ON results_disaggregation;
DROP FUNCTION IF EXISTS results_indicator_changed();
DROP FUNCTION IF EXISTS results_period_changed();
DROP FUNCTION IF EXISTS results_part_changed();
DROP FUNCTION IF EXISTS results_check_period(bigint);
"""


class Migration(migrations.Migration):
    dependencies = [("results", "0002_editor_permissions")]

    operations = [RunSQLOnPostgreSQL(FORWARD, BACKWARD)]
