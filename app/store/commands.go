package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// Command is a PR command given by comment ("/zgate recheck"), recorded
// by the delivery that brought it and answered once by an evaluation of
// its pull request.
type Command struct {
	// CommentID is GitHub's issue comment id: the command's identity, so a
	// redelivered comment is recorded once.
	CommentID int64
	Key       PRKey
	// Name is the command as written after "/zgate" ("recheck",
	// "explain", or an unknown word to answer with the list).
	Name   string
	Sender string
	At     time.Time
}

const insertCommandQuery = `
	INSERT INTO pr_commands (comment_id, installation, owner, repo, number, command, sender, created_us)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (comment_id) DO NOTHING`

func commandArgs(c Command) []any {
	return []any{c.CommentID, c.Key.Installation, strings.ToLower(c.Key.Owner), strings.ToLower(c.Key.Repo), c.Key.Number, c.Name, c.Sender, micros(c.At)}
}

func checkCommand(c Command) error {
	if c.CommentID <= 0 || c.Name == "" {
		return fmt.Errorf("record command: comment id and name are required")
	}
	return validKey(c.Key)
}

// txRecordCommands records commands in tx; a command recorded before is
// left as it is.
func (s *Store) txRecordCommands(ctx context.Context, tx *sql.Tx, cs []Command) error {
	for _, c := range cs {
		if _, err := s.txExec(ctx, tx, insertCommandQuery, commandArgs(c)...); err != nil {
			return fmt.Errorf("record command %d on %s: %w", c.CommentID, c.Key, err)
		}
	}
	return nil
}

// PendingCommands returns the unanswered commands on key's pull request,
// oldest first.
func (s *Store) PendingCommands(ctx context.Context, key PRKey) ([]Command, error) {
	rows, err := s.query(ctx, `
		SELECT comment_id, installation, command, sender, created_us FROM pr_commands
		WHERE owner = $1 AND repo = $2 AND number = $3 AND answered_us = 0
		ORDER BY created_us, comment_id`,
		strings.ToLower(key.Owner), strings.ToLower(key.Repo), key.Number)
	if err != nil {
		return nil, fmt.Errorf("pending commands of %s: %w", key, err)
	}
	defer rows.Close()
	var out []Command
	for rows.Next() {
		c := Command{Key: key}
		var at int64
		if err := rows.Scan(&c.CommentID, &c.Key.Installation, &c.Name, &c.Sender, &at); err != nil {
			return nil, fmt.Errorf("pending commands of %s: %w", key, err)
		}
		c.At = fromMicros(at)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("pending commands of %s: %w", key, err)
	}
	return out, nil
}

// AnswerCommand marks a command answered, before the answer is sent:
// claimed is false when it was answered already (by another replica, or
// before a crash), and then the caller must not answer it. A command is
// answered at most once.
func (s *Store) AnswerCommand(ctx context.Context, commentID int64, at time.Time) (claimed bool, err error) {
	us := max(micros(at), 1)
	res, err := s.exec(ctx, `UPDATE pr_commands SET answered_us = $2 WHERE comment_id = $1 AND answered_us = 0`, commentID, us)
	if err != nil {
		return false, fmt.Errorf("answer command %d: %w", commentID, err)
	}
	claimed, err = affected(res)
	if err != nil {
		return false, fmt.Errorf("answer command %d: %w", commentID, err)
	}
	return claimed, nil
}
