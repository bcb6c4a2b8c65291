-- Deployments waiting on zgate's custom deployment protection rule, one
-- row per (workflow run, environment) as the deployment_protection_rule
-- event names them. answered_us is set once GitHub took zgate's answer
-- (or had nothing pending any more); the answer itself, the Z, is an
-- execution (gate "deployment:<environment>:<run id>").
CREATE TABLE deployments (
	installation  INTEGER NOT NULL,
	owner         TEXT    NOT NULL,
	repo          TEXT    NOT NULL,
	run_id        INTEGER NOT NULL,
	environment   TEXT    NOT NULL,
	deployment_id INTEGER NOT NULL,
	sha           TEXT    NOT NULL,
	ref           TEXT    NOT NULL,
	deployer      TEXT    NOT NULL,
	requested_us  INTEGER NOT NULL,
	received_us   INTEGER NOT NULL,
	answered_us   INTEGER,
	answer        TEXT    NOT NULL DEFAULT '',
	PRIMARY KEY (owner, repo, run_id, environment)
) STRICT;
CREATE INDEX deployments_pending ON deployments (answered_us, owner, repo);
