package audit

// Kinds of the records of review requests and PR commands.
const (
	// KindReviewRequest is a team review request zgate makes: the intent,
	// committed with the claim before the call, then its result.
	KindReviewRequest = "review_request"
	// KindCommand is a PR command zgate answered, with the answer.
	KindCommand = "command"
)
