// Package deploy makes zgate a custom deployment protection rule: it
// decides each deployment that waits on zgate (kept from the
// deployment_protection_rule event) with the gates whose if.environment
// names its environment, and answers GitHub once — approved, or rejected
// when the window closes — recording the answer as an execution before
// sending it (docs/deployments.md). The queue runs it for deployments keys
// ([Key]), on every relevant event and at each pending deployment's next
// deadline.
package deploy
