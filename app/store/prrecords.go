package store

import (
	"context"
	"fmt"
)

// PRAuditRecords returns the last limit audit records of pull request
// number of repo ("owner/name"), oldest first (the details page's timeline).
func (s *Store) PRAuditRecords(ctx context.Context, repo string, number, limit int) ([]AuditRecord, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("audit records of %s#%d: limit must be positive, got %d", repo, number, limit)
	}
	rows, err := s.query(ctx, "SELECT "+auditColumns+" FROM audit WHERE repo = $1 AND pr = $2 ORDER BY seq DESC LIMIT $3", repo, number, limit)
	if err != nil {
		return nil, fmt.Errorf("audit records of %s#%d: %w", repo, number, err)
	}
	defer rows.Close()
	var out []AuditRecord
	for rows.Next() {
		r, err := scanAudit(rows)
		if err != nil {
			return nil, fmt.Errorf("audit records of %s#%d: %w", repo, number, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("audit records of %s#%d: %w", repo, number, err)
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, nil
}

// PRExecutions returns the executions (every Z) of one pull request,
// oldest first.
func (s *Store) PRExecutions(ctx context.Context, owner, repo string, number int) ([]Execution, error) {
	rows, err := s.query(ctx, "SELECT "+executionColumns+" FROM executions WHERE owner = $1 AND repo = $2 AND number = $3 ORDER BY created_us, id", owner, repo, number)
	if err != nil {
		return nil, fmt.Errorf("executions of %s/%s#%d: %w", owner, repo, number, err)
	}
	defer rows.Close()
	var out []Execution
	for rows.Next() {
		e, err := scanExecution(rows)
		if err != nil {
			return nil, fmt.Errorf("executions of %s/%s#%d: %w", owner, repo, number, err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("executions of %s/%s#%d: %w", owner, repo, number, err)
	}
	return out, nil
}
