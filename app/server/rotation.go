package server

import "log/slog"

// verify checks a delivery's signature against the webhook secret and,
// while one is being rotated out, the previous secret. GitHub signs with
// one secret at a time, so the grace period only has to cover the window
// between changing zgate's secret and GitHub's; a delivery signed with the
// previous one is logged so the operator can see when it stops happening.
func (s *Server) verify(log *slog.Logger, body []byte, header string) error {
	err := verifySignature(s.cfg.Secret, body, header)
	if err == nil || len(s.cfg.PreviousSecret) == 0 {
		return err
	}
	if verifySignature(s.cfg.PreviousSecret, body, header) != nil {
		return err
	}
	log.Info("webhook signed with the previous webhook secret; remove it once GitHub uses the new one")
	return nil
}
