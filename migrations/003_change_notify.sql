-- Change notifications: every statement that changes a table behind a layer announces the
-- table on the channel lagesbild_changes, so every server process can drop what it cached
-- of the layers reading it (tiles, extents), whoever wrote: the API, an import from the
-- command line, or psql. PostgreSQL delivers notifications on commit and folds identical
-- ones within a transaction, so a million-row import costs one notification.

CREATE FUNCTION notify_layer_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('lagesbild_changes', TG_TABLE_NAME);
  RETURN NULL;
END;
$$;

CREATE TRIGGER districts_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON districts
  FOR EACH STATEMENT EXECUTE FUNCTION notify_layer_change();
CREATE TRIGGER district_classifications_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON district_classifications
  FOR EACH STATEMENT EXECUTE FUNCTION notify_layer_change();
CREATE TRIGGER places_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON places
  FOR EACH STATEMENT EXECUTE FUNCTION notify_layer_change();
CREATE TRIGGER observations_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON observations
  FOR EACH STATEMENT EXECUTE FUNCTION notify_layer_change();
CREATE TRIGGER indicators_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON indicators
  FOR EACH STATEMENT EXECUTE FUNCTION notify_layer_change();
CREATE TRIGGER indicator_values_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON indicator_values
  FOR EACH STATEMENT EXECUTE FUNCTION notify_layer_change();
CREATE TRIGGER interventions_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON interventions
  FOR EACH STATEMENT EXECUTE FUNCTION notify_layer_change();
CREATE TRIGGER intervention_districts_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON intervention_districts
  FOR EACH STATEMENT EXECUTE FUNCTION notify_layer_change();
-- Not a layer, but the hotspot analyses weigh by it (weighting=harm), and their tiles are cached.
CREATE TRIGGER harm_weights_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON harm_weights
  FOR EACH STATEMENT EXECUTE FUNCTION notify_layer_change();
