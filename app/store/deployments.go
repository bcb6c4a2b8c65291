package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Deployment is a deployment waiting on zgate's custom deployment
// protection rule: one (workflow run, environment) of a
// deployment_protection_rule event.
type Deployment struct {
	Installation int64
	Owner, Repo  string
	RunID        int64
	Environment  string
	DeploymentID int64
	SHA, Ref     string
	Deployer     string
	// Requested is when GitHub created the deployment; Received when the
	// event reached zgate.
	Requested, Received time.Time
	// Answered is when GitHub took zgate's answer, zero while pending;
	// Answer says what it was.
	Answered time.Time
	Answer   string
}

func (d Deployment) String() string {
	return fmt.Sprintf("%s/%s run %d to %s", d.Owner, d.Repo, d.RunID, d.Environment)
}

const deploymentColumns = `installation, owner, repo, run_id, environment, deployment_id, sha, ref, deployer,
	requested_us, received_us, answered_us, answer`

// RecordDeployment keeps a requested deployment; created is false when
// the same (run, environment) is kept already (a redelivery), which is
// left as it is.
func (s *Store) RecordDeployment(ctx context.Context, d Deployment) (created bool, err error) {
	if err := checkDeployment(d); err != nil {
		return false, err
	}
	res, err := s.exec(ctx, recordDeploymentQuery, deploymentArgs(d)...)
	if err != nil {
		return false, fmt.Errorf("record deployment %s: %w", d, err)
	}
	return affected(res)
}

const recordDeploymentQuery = `INSERT INTO deployments (` + deploymentColumns + `)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, NULL, '')
	ON CONFLICT (owner, repo, run_id, environment) DO NOTHING`

func deploymentArgs(d Deployment) []any {
	return []any{d.Installation, d.Owner, d.Repo, d.RunID, d.Environment, d.DeploymentID, d.SHA, d.Ref, d.Deployer,
		micros(d.Requested), micros(d.Received)}
}

func checkDeployment(d Deployment) error {
	if d.Owner == "" || d.Repo == "" || d.RunID <= 0 || d.Environment == "" || d.SHA == "" {
		return fmt.Errorf("record deployment: repository, run, environment and SHA are required")
	}
	return nil
}

// txRecordDeployments keeps ds in an intake's transaction; those kept
// already are left as they are.
func (s *Store) txRecordDeployments(ctx context.Context, tx *sql.Tx, ds []Deployment) error {
	for _, d := range ds {
		if _, err := s.txExec(ctx, tx, recordDeploymentQuery, deploymentArgs(d)...); err != nil {
			return fmt.Errorf("record deployment %s: %w", d, err)
		}
	}
	return nil
}

// PendingDeployments lists the deployments of owner/repo not answered yet,
// oldest first; an empty owner lists those of every repository.
func (s *Store) PendingDeployments(ctx context.Context, owner, repo string) ([]Deployment, error) {
	q := `SELECT ` + deploymentColumns + ` FROM deployments WHERE answered_us IS NULL`
	var args []any
	if owner != "" {
		q += ` AND owner = $1 AND repo = $2`
		args = append(args, owner, repo)
	}
	q += ` ORDER BY requested_us, run_id, environment`
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list pending deployments: %w", err)
	}
	defer rows.Close()
	var out []Deployment
	for rows.Next() {
		var d Deployment
		var req, rec int64
		var ans sql.NullInt64
		if err := rows.Scan(&d.Installation, &d.Owner, &d.Repo, &d.RunID, &d.Environment, &d.DeploymentID, &d.SHA, &d.Ref, &d.Deployer,
			&req, &rec, &ans, &d.Answer); err != nil {
			return nil, fmt.Errorf("list pending deployments: %w", err)
		}
		d.Requested, d.Received = fromMicros(req), fromMicros(rec)
		if ans.Valid {
			d.Answered = fromMicros(ans.Int64)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list pending deployments: %w", err)
	}
	return out, nil
}

// DeploymentAnswered marks d answered with answer ("approved", "rejected"
// or why GitHub had nothing pending) at at.
func (s *Store) DeploymentAnswered(ctx context.Context, d Deployment, answer string, at time.Time) error {
	_, err := s.exec(ctx, `UPDATE deployments SET answered_us = $5, answer = $6
		WHERE owner = $1 AND repo = $2 AND run_id = $3 AND environment = $4`,
		d.Owner, d.Repo, d.RunID, d.Environment, micros(at), answer)
	if err != nil {
		return fmt.Errorf("answer deployment %s: %w", d, err)
	}
	return nil
}

// FindExecution returns the execution of (key's repository and number,
// gate, head SHA), or ErrNotFound: what BeginExecution would find, read
// without recording an intent.
func (s *Store) FindExecution(ctx context.Context, key PRKey, gate, headSHA string) (Execution, error) {
	e, err := scanExecution(s.queryRow(ctx, sameExecutionQuery, key.Owner, key.Repo, key.Number, gate, headSHA))
	if errIsNoRows(err) {
		return Execution{}, fmt.Errorf("execution %s %s@%s: %w", key, gate, headSHA, ErrNotFound)
	}
	if err != nil {
		return Execution{}, fmt.Errorf("execution %s %s@%s: %w", key, gate, headSHA, err)
	}
	return e, nil
}
