-- Whether a `zgate serve` is running on this database (SQLite): set
-- durably at start, cleared durably at a clean stop. A start that finds it
-- set knows the last run ended in a crash or a power cut, which may have
-- taken lazy commits with it (see the store's durability.go), and forgets
-- the check-run states they may have changed.
CREATE TABLE serve_state (
	id      INTEGER PRIMARY KEY CHECK (id = 1),
	running INTEGER NOT NULL
);
